// Leaflet wrapper for the TruckMap component. One map per element; state lives in a WeakMap so
// Blazor only passes the element back and forth. Leaflet itself (UMD build from npm, copied to
// lib/leaflet by the build) is loaded on first use.

import { loadLeaflet } from './leaflet-loader.js';

const maps = new WeakMap();

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

// Only strings and whole numbers come from .NET, never an options object or a double: the
// circuit's JSON serializer caches metadata for every type it sends (for a double, some forty of
// its interfaces), per circuit. Coordinates arrive as whole microdegrees (1e-6 degree, 0.11 m).
const deg = micro => micro / 1e6;

export async function createMap(element, tileUrl, attribution, maxZoom, truckZoom, lat, lng, zoom) {
    const L = await loadLeaflet();
    disposeMap(element);

    const map = L.map(element, {
        center: [deg(lat), deg(lng)],
        zoom,
        zoomControl: true,
        attributionControl: true,
    });
    if (tileUrl) {
        // Without network the tiles fail and the container's own background shows instead.
        L.tileLayer(tileUrl, { maxZoom, attribution }).addTo(map);
    }
    maps.set(element, { map, marker: null, truckZoom, heading: null, places: [], focus: null, trail: null });
    element.dataset.mapReady = 'true';
}

export function setTruck(element, microLat, microLng, heading, follow) {
    const state = maps.get(element);
    if (!state) {
        return;
    }
    const lat = deg(microLat);
    const lng = deg(microLng);
    const L = window.L;
    const latLng = L.latLng(lat, lng);
    const hasHeading = typeof heading === 'number' && Number.isFinite(heading);

    if (!state.marker) {
        state.marker = L.marker(latLng, { icon: truckIcon(L, heading), keyboard: false, interactive: false, zIndexOffset: 1000 })
            .addTo(state.map);
        // No animation: a fix arriving mid-zoom would be judged against the old, wider bounds.
        if (state.focus) {
            fitBoth(state, latLng);
        } else {
            state.map.setView(latLng, Math.max(state.map.getZoom(), state.truckZoom), { animate: false });
        }
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
    if (state.trail) {
        extendTrail(state, latLng, element);
    }

    element.dataset.truckLat = String(lat);
    element.dataset.truckLng = String(lng);
}

// Another truck took the delivery and has no position yet: the old one's marker must not stay.
export function clearTruck(element) {
    const state = maps.get(element);
    if (!state || !state.marker) {
        return;
    }
    state.marker.remove();
    state.marker = null;
    state.heading = null;
    state.follow = null;
    delete element.dataset.truckLat;
    delete element.dataset.truckLng;
}

/**
 * Follows the truck: pans when it nears the edge, and checks again whenever a move or zoom ends.
 * With a focus (where the truck is heading) both stay in view: the map refits to the two instead.
 */
function keepInView(state, latLng, follow) {
    state.follow = follow ? latLng : null;
    if (follow) {
        ensureInView(state);
    }
    if (!state.followHooked) {
        state.followHooked = true;
        // A customer who drags the map to look around is not pulled back until the next fix.
        state.map.on('dragstart', () => { state.follow = null; });
        state.map.on('moveend zoomend', () => {
            if (state.follow) {
                ensureInView(state);
            }
        });
    }
}

function ensureInView(state) {
    if (state.focus) {
        // fitBounds leaves at least 40 px around both points; 24 px here, so a refit never triggers another.
        if (!onScreen(state.map, state.follow, 24) || !onScreen(state.map, state.focus, 24)) {
            state.map.fitBounds(window.L.latLngBounds([state.follow, state.focus]), { ...fitPadding, maxZoom: state.truckZoom });
        }
    } else if (!state.map.getBounds().pad(-0.15).contains(state.follow)) {
        state.map.panTo(state.follow);
    }
}

function onScreen(map, latLng, margin) {
    const p = map.latLngToContainerPoint(latLng);
    const size = map.getSize();
    return p.x >= margin && p.y >= margin && p.x <= size.x - margin && p.y <= size.y - margin;
}

// Place markers: a pin in the place's colour with a white glyph (box: pickup, flag: drop-off).
const placeGlyphs = {
    pickup: '<path d="M10 11 l6 -3 l6 3 v7 l-6 3 l-6 -3 z M10 11 l6 3 l6 -3 M16 14 v7" fill="none" stroke="#fff" stroke-width="1.8" stroke-linejoin="round"/>',
    dropoff: '<path d="M12 7 v14 M12 8 h9 l-2.5 3.5 l2.5 3.5 h-9" fill="#fff" stroke="#fff" stroke-width="1.8" stroke-linejoin="round"/>',
};

function placeIcon(L, kind) {
    const colour = kind === 'pickup' ? '#188038' : '#c5221f';
    const svg = '<svg viewBox="0 0 32 42" width="32" height="42" aria-hidden="true">' +
        `<path d="M16 41 C16 41 2 24.5 2 15 A14 14 0 0 1 30 15 C30 24.5 16 41 16 41 Z" fill="${colour}" stroke="#fff" stroke-width="2"/>` +
        placeGlyphs[kind] + '</svg>';
    return L.divIcon({
        className: `sendy-place-icon sendy-place-${kind}`,
        html: svg,
        iconSize: [32, 42],
        iconAnchor: [16, 41],
        tooltipAnchor: [0, -40],
    });
}

// Labels are built as text nodes: addresses are typed by people and never treated as HTML.
function placeLabel(place) {
    const label = document.createElement('div');
    const title = document.createElement('b');
    title.textContent = place.title;
    label.appendChild(title);
    if (place.address) {
        const address = document.createElement('span');
        address.className = 'sendy-place-address';
        address.textContent = place.address;
        label.appendChild(address);
    }
    return label;
}

/** Places as a flat [kind, lat, lng, title, address, ...] array (primitives only: see TruckMap). */
export function setPlaces(element, flat) {
    const state = maps.get(element);
    if (!state) {
        return;
    }
    const L = window.L;
    const places = [];
    for (let i = 0; i + 4 < (flat || []).length; i += 5) {
        places.push({ kind: flat[i], lat: deg(flat[i + 1]), lng: deg(flat[i + 2]), title: flat[i + 3], address: flat[i + 4] });
    }
    state.places.forEach(m => m.remove());
    state.places = places.map(p =>
        L.marker([p.lat, p.lng], { icon: placeIcon(L, p.kind), keyboard: false, interactive: false, title: p.title })
            .bindTooltip(placeLabel(p), { permanent: true, direction: 'top', className: 'sendy-place-label', opacity: 1 })
            .addTo(state.map));
    element.dataset.places = places.map(p => p.kind).join(' ');
    if (!state.marker && !state.focus && state.places.length > 0) {
        fitPoints(state, state.places.map(m => m.getLatLng()));
    }
}

/** Where the truck is heading: the view shows the truck and this point together. */
export function setFocus(element, lat, lng) {
    const state = maps.get(element);
    if (!state) {
        return;
    }
    state.focus = typeof lat === 'number' && typeof lng === 'number' ? window.L.latLng(deg(lat), deg(lng)) : null;
    if (state.marker && state.focus) {
        fitBoth(state, state.marker.getLatLng());
    } else if (state.focus) {
        // No truck yet: show the places, so the customer sees where the goods go.
        fitPoints(state, state.places.length > 0 ? state.places.map(m => m.getLatLng()) : [state.focus]);
    }
}

function fitBoth(state, truck) {
    fitPoints(state, [truck, state.focus]);
}

function fitPoints(state, points) {
    if (points.length === 1) {
        state.map.setView(points[0], state.truckZoom, { animate: false });
        return;
    }
    state.map.fitBounds(window.L.latLngBounds(points), { ...fitPadding, maxZoom: state.truckZoom, animate: false });
}

// Room for the place labels, which sit centred above their pins (up to 220 px wide).
const fitPadding = { paddingTopLeft: [110, 100], paddingBottomRight: [110, 40] };

/** The trail since pickup: points as a flat [lat, lng, ...] array, oldest first; null removes it. */
export function setTrail(element, flat) {
    const state = maps.get(element);
    if (!state) {
        return;
    }
    if (state.trail) {
        state.trail.remove();
        state.trail = null;
    }
    if (flat) {
        const points = [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
            points.push([deg(flat[i]), deg(flat[i + 1])]);
        }
        state.trail = window.L.polyline(points, { color: '#0d3b8c', weight: 4, opacity: 0.6, interactive: false, lineJoin: 'round' })
            .addTo(state.map);
        if (state.marker) {
            extendTrail(state, state.marker.getLatLng(), element);
        }
    }
    element.dataset.trailLength = String(state.trail ? state.trail.getLatLngs().length : 0);
}

// Hours of live fixes must not grow the line without bound: past the cap, every other point goes.
const trailCap = 4000;

function extendTrail(state, latLng, element) {
    const points = state.trail.getLatLngs();
    const last = points[points.length - 1];
    // Standing still adds nothing but GPS jitter.
    if (last && state.map.distance(last, latLng) < 3) {
        return;
    }
    if (points.length >= trailCap) {
        state.trail.setLatLngs(points.filter((_, i) => i % 2 === 0 || i === points.length - 1));
    }
    state.trail.addLatLng(latLng);
    element.dataset.trailLength = String(state.trail.getLatLngs().length);
}

export function disposeMap(element) {
    const state = maps.get(element);
    if (state) {
        state.map.remove();
        maps.delete(element);
    }
}
