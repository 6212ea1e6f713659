// Uploads of snapshot files, streamed. An `.upload-area` (pages/_uploads.py) holds a dcc.Upload for its look and its
// file picker, but dcc.Upload would read the whole file into the page and send it through a Dash callback as base64:
// a 200 MB file would crash the tab. So this catches the drop and the picked file in the capture phase, before
// dcc.Upload's own handlers (React's, on the app's root) see them, and sends the File as it is with XMLHttpRequest
// and FormData (field `file`) to /api/uploads?source=<data-source>, with the session's CSRF token (data-csrf) in the
// X-CSRF-Token header. The status line of the area shows the bytes sent; the API's answer, {status, body}, goes to the
// page's store (data-outcome) through dash_clientside.set_props, where a callback tells it and redraws the runs.
(function () {
    const AREA = ".upload-area";
    const sending = new Set(); // the sources with an upload on its way (one at a time each)

    const areaOf = (target) => (target instanceof Element ? target.closest(AREA) : null);
    // The area is looked up again at every step: the page may have redrawn it meanwhile.
    const areaFor = (source) => document.querySelector(`${AREA}[data-source="${CSS.escape(source)}"]`);

    const size = (bytes) => {
        if (bytes < 1024) return `${bytes} B`;
        if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
        return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
    };

    const say = (source, text, busy) => {
        const area = areaFor(source);
        if (!area) return;
        const status = area.querySelector(".upload-status");
        if (status) status.textContent = text;
        area.classList.toggle("upload-busy", busy);
    };

    const answer = (area, outcome) => {
        const store = area.getAttribute("data-outcome");
        if (store && window.dash_clientside && window.dash_clientside.set_props) {
            window.dash_clientside.set_props(store, { data: { ...outcome, at: Date.now() } });
        }
    };

    const send = (area, files) => {
        const source = area.getAttribute("data-source");
        if (!source) return;
        if (sending.has(source)) {
            say(source, "An upload to this source is still being sent: drop the next file when it has gone.", true);
            return;
        }
        if (!files || files.length !== 1) {
            say(source, files && files.length > 1 ? "Drop one file at a time." : "", false);
            return;
        }
        const file = files[0];
        const form = new FormData();
        form.append("file", file, file.name);
        const request = new XMLHttpRequest();
        request.open("POST", `/api/uploads?source=${encodeURIComponent(source)}`);
        request.setRequestHeader("X-CSRF-Token", area.getAttribute("data-csrf") || "");
        request.setRequestHeader("Accept", "application/json");
        request.upload.addEventListener("progress", (event) => {
            const total = event.lengthComputable ? event.total : file.size;
            const percent = total ? Math.min(100, Math.floor((100 * event.loaded) / total)) : 0;
            say(source, `Sending ${file.name}: ${size(event.loaded)} of ${size(total)} (${percent} %)`, true);
        });
        const done = (status, body) => {
            sending.delete(source);
            say(source, status ? `Sent ${file.name} (${size(file.size)}).` : `${file.name} was not sent.`, false);
            const target = areaFor(source) || area;
            answer(target, { source: source, file: file.name, status: status, body: body });
        };
        request.addEventListener("load", () => {
            let body = null;
            try {
                body = JSON.parse(request.responseText);
            } catch {
                body = null; // not JSON (a proxy's page): the callback says the status alone
            }
            done(request.status, body);
        });
        request.addEventListener("error", () => done(0, null));
        request.addEventListener("abort", () => done(0, null));
        sending.add(source);
        say(source, `Sending ${file.name}: 0 B of ${size(file.size)} (0 %)`, true);
        request.send(form);
    };

    // Drags over an area are the area's: the browser must not open a dropped file, and dcc.Upload must not see them.
    ["dragenter", "dragover", "dragleave", "drop"].forEach((type) => {
        window.addEventListener(
            type,
            (event) => {
                const area = areaOf(event.target);
                if (!area) return;
                event.preventDefault();
                event.stopPropagation();
                const over = type === "dragenter" || type === "dragover";
                const left = type === "dragleave" && !area.contains(event.relatedTarget);
                if (over) area.classList.add("upload-drag");
                else if (left || type === "drop") area.classList.remove("upload-drag");
                if (type === "drop") send(area, event.dataTransfer && event.dataTransfer.files);
            },
            true,
        );
    });

    // A file picked with dcc.Upload's file input (a click on the area opens it).
    window.addEventListener(
        "change",
        (event) => {
            const input = event.target;
            const area = areaOf(input);
            if (!area || !(input instanceof HTMLInputElement) || input.type !== "file") return;
            event.stopPropagation();
            send(area, input.files);
            input.value = ""; // the same file may be picked again
        },
        true,
    );
})();
