// Leaflet wrapper for the TruckMap component. One map per element; state lives in a WeakMap so
// Blazor only passes the element back and forth. Leaflet itself (UMD build from npm, copied to
// lib/leaflet by the build) is loaded on first use.

const maps = new WeakMap();
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

const arrowSvg =
    '<svg viewBox="0 0 40 40" width="40" height="40" aria-hidden="true">' +
    '<circle cx="20" cy="20" r="17" fill="#0d3b8c" stroke="#fff" stroke-width="3"/>' +
    '<path d="M20 8 L28 28 L20 23 L12 28 Z" fill="#fff"/>' +
    '</svg>';

const dotSvg =
    '<svg viewBox="0 0 40 40" width="40" height="40" aria-hidden="true">' +
    '<circle cx="20" cy="20" r="17" fill="#0d3b8c" stroke="#fff" stroke-width="3"/>' +
    '<rect x="12" y="15" width="11" height="9" rx="1" fill="#fff"/>' +
    '<path d="M23 17 h3.5 l2.5 3.5 v3.5 h-6 z" fill="#fff"/>' +
    '<circle cx="15.5" cy="26" r="2" fill="#fff"/><circle cx="25.5" cy="26" r="2" fill="#fff"/>' +
    '</svg>';

function truckIcon(L, heading) {
    const hasHeading = typeof heading === 'number' && Number.isFinite(heading);
    const rotation = hasHeading ? `transform: rotate(${heading}deg);` : '';
    return L.divIcon({
        className: 'sendy-truck-icon',
        html: `<div class="sendy-truck" style="${rotation}">${hasHeading ? arrowSvg : dotSvg}</div>`,
        iconSize: [40, 40],
        iconAnchor: [20, 20],
    });
}

export async function createMap(element, options) {
    const L = await loadLeaflet();
    disposeMap(element);

    const map = L.map(element, {
        center: options.center,
        zoom: options.zoom,
        zoomControl: true,
        attributionControl: true,
    });
    if (options.tileUrl) {
        // Without network the tiles fail and the container's own background shows instead.
        L.tileLayer(options.tileUrl, {
            maxZoom: options.maxZoom,
            attribution: options.attribution,
        }).addTo(map);
    }
    maps.set(element, { map, marker: null, truckZoom: options.truckZoom, heading: null });
    element.dataset.mapReady = 'true';
}

export function setTruck(element, lat, lng, heading, follow) {
    const state = maps.get(element);
    if (!state) {
        return;
    }
    const L = window.L;
    const latLng = L.latLng(lat, lng);
    const hasHeading = typeof heading === 'number' && Number.isFinite(heading);

    if (!state.marker) {
        state.marker = L.marker(latLng, { icon: truckIcon(L, heading), keyboard: false, interactive: false })
            .addTo(state.map);
        // No animation: a fix arriving mid-zoom would be judged against the old, wider bounds.
        state.map.setView(latLng, Math.max(state.map.getZoom(), state.truckZoom), { animate: false });
    } else {
        state.marker.setLatLng(latLng);
        const wasArrow = state.heading !== null;
        if (wasArrow !== hasHeading) {
            state.marker.setIcon(truckIcon(L, heading));
        } else if (hasHeading) {
            const el = state.marker.getElement()?.querySelector('.sendy-truck');
            if (el) {
                el.style.transform = `rotate(${heading}deg)`;
            }
        }
        keepInView(state, latLng, follow);
    }
    state.heading = hasHeading ? heading : null;

    element.dataset.truckLat = String(lat);
    element.dataset.truckLng = String(lng);
}

/** Follows the truck: pans when it nears the edge, and checks again whenever a move or zoom ends. */
function keepInView(state, latLng, follow) {
    state.follow = follow ? latLng : null;
    if (follow && !state.map.getBounds().pad(-0.15).contains(latLng)) {
        state.map.panTo(latLng);
    }
    if (!state.followHooked) {
        state.followHooked = true;
        // A customer who drags the map to look around is not pulled back until the next fix.
        state.map.on('dragstart', () => { state.follow = null; });
        state.map.on('moveend zoomend', () => {
            if (state.follow && !state.map.getBounds().pad(-0.15).contains(state.follow)) {
                state.map.panTo(state.follow);
            }
        });
    }
}

export function fitTo(element, points) {
    const state = maps.get(element);
    if (!state || !points || points.length === 0) {
        return;
    }
    if (points.length === 1) {
        state.map.setView(points[0], state.truckZoom);
        return;
    }
    state.map.fitBounds(window.L.latLngBounds(points), { padding: [32, 32], maxZoom: state.truckZoom });
}

export function disposeMap(element) {
    const state = maps.get(element);
    if (state) {
        state.map.remove();
        maps.delete(element);
    }
}
