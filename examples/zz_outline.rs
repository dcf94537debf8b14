use cloudtrail_triage::outline::{read, Paths};
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let paths = Paths::new(["@timestamp","event.action","event.outcome","event.provider","data_stream.dataset","aws.cloudtrail.user_identity.type","aws.cloudtrail.user_identity.access_key_id","aws.cloudtrail.user_identity.arn","source.ip","source.address","user_agent.original","aws.cloudtrail.session_credential_from_console","event.original","event.ingested","aws.cloudtrail.flattened.response_elements.credentials.accessKeyId","aws.cloudtrail.response_elements","aws.cloudtrail.flattened.request_parameters.serialNumber","aws.cloudtrail.request_parameters","aws.cloudtrail.console_login.additional_eventdata.mfa_used"]);
    let mode = std::env::args().nth(2).unwrap_or_default();
    let mut n = 0;
    for line in text.lines() {
        if mode == "serde" { let v: serde_json::Value = serde_json::from_str(line).unwrap(); n += v.as_object().unwrap().len(); }
        else { let mut k = Vec::new(); let o = read(line, &paths, 64, &mut k).unwrap(); n += k.len() + o.canonical as usize; }
    }
    println!("{n}");
}
