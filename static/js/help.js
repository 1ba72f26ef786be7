// The keyboard help: built, and this module loaded, the first time it is asked for.

const KEYS = [
  ["Space", "play or pause"],
  ["→", "step forward one transition"],
  ["←", "step back (time travel)"],
  ["R", "reset: the same run from the start"],
  ["F", "fullscreen"],
  ["?", "this help"],
  ["Enter", "break that step", " on a service"],
];

export function openHelp(doc) {
  let dialog = doc.getElementById("help-dialog");
  if (!dialog) {
    const el = (tag, text = "") => Object.assign(doc.createElement(tag), { textContent: text });
    dialog = el("dialog");
    dialog.id = "help-dialog";
    dialog.className = "help-dialog";
    dialog.dataset.testid = "help-dialog";
    dialog.setAttribute("aria-labelledby", "help-title");
    const title = el("h2", "Keyboard shortcuts");
    title.id = "help-title";
    const keys = el("dl");
    keys.className = "keys";
    for (const [key, what, where = ""] of KEYS) {
      const dt = el("dt");
      dt.append(el("kbd", key), where);
      keys.append(dt, el("dd", what));
    }
    const close = el("button", "Close");
    close.className = "btn btn-primary";
    close.addEventListener("click", () => dialog.close());
    dialog.append(title, keys, el("p", "Arming a failure while rewound forks the run: it restarts "
      + "with the failure, same seed, and replays to where you were."), close);
    doc.body.append(dialog);
  }
  dialog.showModal();
  dialog.lastElementChild.focus();
}
