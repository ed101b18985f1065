// Leaflet map for the "New delivery" dialog: a click reports the point to .NET, which decides
// whether it is the pickup or the drop-off and sends both markers back through setPoints.
// Leaflet is loaded on first use, as in map.js (window.L is shared if map.js loaded it first).

const pickers = new WeakMap();
let leafletLoading;

function loadLeaflet() {
    if (window.L) {
        return Promise.resolve(window.L);
    }
    if (!leafletLoading) {
        const base = new URL('../lib/leaflet/', import.meta.url);
        if (!document.querySelector('link[href*="leaflet"]')) {
            const css = document.createElement('link');
            css.rel = 'stylesheet';
            css.href = new URL('leaflet.css', base).href;
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

function pinIcon(L, kind, label) {
    const text = document.createElement('span');
    text.textContent = label; // a label is text, never markup
    return L.divIcon({
        className: 'sendy-pin-icon',
        html: `<div class="sendy-pin ${kind}"><span class="sendy-pin-dot"></span><span class="sendy-pin-label">${text.innerHTML}</span></div>`,
        iconSize: [0, 0],
        iconAnchor: [0, 0],
    });
}

export async function createPicker(element, dotNet, options) {
    const L = await loadLeaflet();
    disposePicker(element);
    const map = L.map(element, { center: options.center, zoom: options.zoom, zoomControl: true });
    if (options.tileUrl) {
        L.tileLayer(options.tileUrl, { maxZoom: options.maxZoom, attribution: options.attribution }).addTo(map);
    }
    map.on('click', (e) => {
        dotNet.invokeMethodAsync('OnMapClick', e.latlng.lat, e.latlng.lng);
    });
    // The dialog animates open: Leaflet must measure again once the element has its final size.
    const resize = new ResizeObserver(() => map.invalidateSize());
    resize.observe(element);
    pickers.set(element, { map, resize, markers: {}, labels: options.labels });
    element.dataset.mapReady = 'true';
}

/**
 * points: { pickup: [lat, lng] | null, dropoff: [lat, lng] | null }. The view moves only when a
 * point is out of sight (typed coordinates); a click is in sight, so the view stays put.
 */
export function setPoints(element, points) {
    const state = pickers.get(element);
    if (!state) {
        return;
    }
    const L = window.L;
    const placed = [];
    for (const kind of ['pickup', 'dropoff']) {
        const at = points[kind];
        let marker = state.markers[kind];
        if (!at) {
            if (marker) {
                marker.remove();
                delete state.markers[kind];
            }
            delete element.dataset[kind];
            continue;
        }
        if (marker) {
            marker.setLatLng(at);
        } else {
            marker = L.marker(at, { icon: pinIcon(L, kind, state.labels[kind]), keyboard: false, interactive: false }).addTo(state.map);
            state.markers[kind] = marker;
        }
        element.dataset[kind] = `${at[0]},${at[1]}`;
        placed.push(at);
    }
    const bounds = state.map.getBounds();
    if (placed.some((p) => !bounds.contains(p))) {
        if (placed.length === 2) {
            state.map.fitBounds(placed, { padding: [48, 48], maxZoom: 14, animate: false });
        } else {
            state.map.setView(placed[0], Math.max(state.map.getZoom(), 12), { animate: false });
        }
    }
}

export function disposePicker(element) {
    const state = pickers.get(element);
    if (!state) {
        return;
    }
    state.resize.disconnect();
    state.map.remove();
    pickers.delete(element);
    delete element.dataset.mapReady;
}
