// Where the events come from: the paste area, or files dropped on the page or picked. Files are
// handed to the worker as they are (a File is a handle, not a copy); the worker recognizes
// gzip by its first bytes and inflates it with the browser's DecompressionStream.

import { byId } from './dom.mjs';

const encoder = new TextEncoder();

export class EventInput {
  /** @param {() => void} onFiles called when files were dropped or picked */
  constructor(onFiles) {
    this.onFiles = onFiles;
    this.files = [];
    this.name = null;
    // Counts changes of the input, so that results can tell whether they are of these events.
    this.version = 0;

    this.text = byId('input');
    this.drop = byId('drop');
    this.picker = byId('file');
    this.chip = byId('file-chip');
    this.names = byId('file-names');

    byId('open').addEventListener('click', () => this.picker.click());
    this.picker.addEventListener('change', () => {
      this.useFiles([...this.picker.files]);
      this.picker.value = '';
    });
    byId('file-clear').addEventListener('click', () => this.useFiles([]));
    this.text.addEventListener('input', () => {
      this.name = null;
      this.version += 1;
    });

    // Files dropped anywhere on the page are taken, rather than opened by the browser in
    // place of the page.
    document.addEventListener('dragover', (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
      this.drop.classList.add('dragging');
    });
    document.addEventListener('dragleave', (event) => {
      if (event.relatedTarget === null) this.drop.classList.remove('dragging');
    });
    document.addEventListener('drop', (event) => {
      this.drop.classList.remove('dragging');
      if (!hasFiles(event)) return;
      event.preventDefault();
      this.useFiles([...event.dataTransfer.files]);
    });
  }

  useFiles(files) {
    this.files = files;
    this.version += 1;
    this.chip.hidden = files.length === 0;
    this.text.hidden = files.length > 0;
    this.names.textContent = files.map((file) => `${file.name} (${formatSize(file.size)})`).join(', ');
    if (files.length > 0) this.onFiles();
  }

  /** Puts text in the paste area and makes it the input; `name` says where it came from. */
  setText(text, name = null) {
    this.useFiles([]);
    this.text.value = text;
    this.name = name;
  }

  isEmpty() {
    return this.files.length === 0 && this.text.value.trim() === '';
  }

  /** The input as Blobs, in order. */
  blobs() {
    if (this.files.length > 0) return this.files;
    return [new Blob([encoder.encode(this.text.value)])];
  }

  /** A short description of the input, for the status line. */
  describe() {
    if (this.files.length === 1) return this.files[0].name;
    if (this.files.length > 1) return `${this.files.length} files`;
    return this.name ?? 'the pasted events';
  }
}

function hasFiles(event) {
  return event.dataTransfer !== null && [...event.dataTransfer.types].includes('Files');
}

export function formatSize(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
