// Pre-rendered HTML drawn in one step. potrack/web/fragment.py builds it on the server with every text escaped;
// pages/_components.fragment() sends it as a component's data-html attribute, and this puts it in place as the
// element's content. Dash draws a component per element and its time to draw a page grows with their number, so a
// long table or a row of many parts is one component here (docs/dashboard.md, Speed).
(function () {
    const fill = (el) => {
        const markup = el.getAttribute("data-html");
        if (markup !== null && el.potrackHtml !== markup) {
            el.innerHTML = markup;
            el.potrackHtml = markup;
        }
    };
    const fillWithin = (node) => {
        if (node.nodeType !== Node.ELEMENT_NODE) return;
        fill(node);
        node.querySelectorAll("[data-html]").forEach(fill);
    };
    // Mutation observers run before the browser paints: the content is there in the frame its component is.
    new MutationObserver((records) => {
        for (const record of records) {
            if (record.type === "attributes") fill(record.target);
            else record.addedNodes.forEach(fillWithin);
        }
    }).observe(document.documentElement, {
        childList: true,
        subtree: true,
        attributes: true,
        attributeFilter: ["data-html"],
    });

    // A link to a page inside a fragment opens like dcc.Link's: the address changes and Dash draws the page, without
    // reloading the app. Downloads (/api/...), new tabs and modified clicks keep the browser's own behaviour.
    document.addEventListener("click", (event) => {
        if (event.defaultPrevented || event.button !== 0) return;
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        const link = event.target.closest("[data-html] a[href^='/']");
        if (!link || link.target || link.hasAttribute("download")) return;
        const href = link.getAttribute("href");
        if (href.startsWith("/api/") || href.startsWith("//")) return;
        event.preventDefault();
        window.history.pushState({}, "", href);
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
        window.scrollTo(0, 0);
    });
})();
