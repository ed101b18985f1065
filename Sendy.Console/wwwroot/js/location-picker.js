// Leaflet map for the "New delivery" dialog: a click reports the point to .NET, which decides
// whether it is the pickup or the drop-off and sends both markers back through setPoints.
// Leaflet is loaded on first use, as in map.js (window.L is shared if map.js loaded it first).

import { loadLeaflet } from './leaflet-loader.js';

const pickers = new WeakMap();

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
    const state = { map, resize: null, markers: {}, labels: options.labels, framed: null };
    // The dialog lays out after the map exists: measure again at the final size, and frame the points again if we framed them.
    state.resize = new ResizeObserver(() => {
        map.invalidateSize({ pan: false });
        if (state.framed) {
            frame(state, state.framed);
        }
    });
    state.resize.observe(element);
    pickers.set(element, state);
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
    state.map.invalidateSize({ pan: false });
    const bounds = state.map.getBounds().pad(-0.1);
    if (placed.some((p) => !bounds.contains(p))) {
        state.framed = placed;
        frame(state, placed);
    } else {
        state.framed = null;
    }
}

function frame(state, placed) {
    if (placed.length === 2) {
        state.map.fitBounds(placed, { padding: [56, 56], maxZoom: 14, animate: false });
    } else if (placed.length === 1) {
        state.map.setView(placed[0], Math.max(state.map.getZoom(), 12), { animate: false });
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
