use cloudtrail_triage::{Engine, Rule, Start, State};
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap();
    let enrich = args.next().as_deref() == Some("--enrich");
    let text = std::fs::read(&path).unwrap();
    let engine = Engine::new(vec![Rule::builtin("latest").unwrap()]);
    let mut state = State::default();
    let mut start = Start::default();
    let mut out = 0;
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    for chunk in lines.chunks(250) {
        let input = chunk.join(&b'\n');
        let b = engine.run_json(&input, start, state, enrich);
        out += b.text.len();
        state = b.state; start.index += chunk.len() as u64; start.line += chunk.len() as u64;
    }
    println!("{out}");
}
