// Loads Leaflet (UMD build from npm, copied to lib/leaflet by the build) once per page, for every
// map module: its stylesheet if the page has none, then the script. Shared, so two maps starting
// at once never add the script twice.

let leafletLoading;

export function loadLeaflet() {
    if (window.L) {
        return Promise.resolve(window.L);
    }
    if (!leafletLoading) {
        const base = new URL('../lib/leaflet/', import.meta.url);
        if (!document.querySelector('link[href*="leaflet"]')) {
            const css = document.createElement('link');
            css.rel = 'stylesheet';
            css.href = new URL('leaflet.css', base).href;
            css.dataset.sendyLeaflet = '';
            document.head.appendChild(css);
        }
        leafletLoading = new Promise((resolve, reject) => {
            const script = document.createElement('script');
            script.src = new URL('leaflet.js', base).href;
            script.onload = () => resolve(window.L);
            script.onerror = () => {
                leafletLoading = undefined;
                reject(new Error('Leaflet could not be loaded'));
            };
            document.head.appendChild(script);
        });
    }
    return leafletLoading;
}
