// When the session ends while a page is open (signed out elsewhere, user disabled), Dash's callbacks
// answer 401: go to the sign-in page, which brings the user back here afterwards.
(function () {
    const originalFetch = window.fetch;
    window.fetch = async function (...args) {
        const response = await originalFetch.apply(this, args);
        const url = String(args[0] && args[0].url ? args[0].url : args[0]);
        if (response.status === 401 && url.includes("/_dash-")) {
            const here = window.location.pathname + window.location.search;
            window.location.assign("/login?next=" + encodeURIComponent(here));
        }
        return response;
    };
})();
