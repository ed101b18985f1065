// Route replay for the RouteReplayMap component. The route arrives once as compact rows
// [lat, lng, recordedAtMs, heading|null]; playback (requestAnimationFrame), the marker, the
// travelled line, the slider and the clock all live here, so Blazor never renders per frame.
// The replay runs in route time: speed 60 plays one recorded minute per second.

import { loadLeaflet } from './leaflet-loader.js';

const replays = new WeakMap();

const truckSvg =
    '<svg viewBox="0 0 40 40" width="36" height="36" aria-hidden="true">' +
    '<circle cx="20" cy="20" r="17" fill="#0d3b8c" stroke="#fff" stroke-width="3"/>' +
    '<path d="M20 8 L28 28 L20 23 L12 28 Z" fill="#fff"/>' +
    '</svg>';

function placeMarker(L, map, latLng, className, label) {
    return L.circleMarker(latLng, { radius: 8, weight: 3, color: '#fff', fillOpacity: 1, className })
        .bindTooltip(label, { direction: 'top', offset: [0, -8] })
        .addTo(map);
}

export async function createReplay(element, options, rows, dotnet) {
    const L = await loadLeaflet();
    disposeReplay(element);

    const map = L.map(element, { zoomControl: true, attributionControl: true, center: [36.5, 127.8], zoom: 7 });
    if (options.tileUrl) {
        // Without network the tiles fail and the container's own background shows instead.
        L.tileLayer(options.tileUrl, { maxZoom: options.maxZoom, attribution: options.attribution }).addTo(map);
    }

    const points = rows.map(r => ({ lat: r[0], lng: r[1], t: r[2], heading: r[3] }));
    const latLngs = points.map(p => [p.lat, p.lng]);
    const bounds = [...latLngs];
    if (options.pickup) {
        placeMarker(L, map, options.pickup, 'replay-pickup', options.pickupLabel);
        bounds.push(options.pickup);
    }
    if (options.dropoff) {
        placeMarker(L, map, options.dropoff, 'replay-dropoff', options.dropoffLabel);
        bounds.push(options.dropoff);
    }

    const state = {
        map, points, latLngs, dotnet, sliderMax: options.sliderMax,
        slider: element.parentElement?.querySelector('[data-replay-slider]') ?? null,
        clock: element.parentElement?.querySelector('[data-replay-clock]') ?? null,
        clockFormat: new Intl.DateTimeFormat(options.locale || undefined, {
            month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
            timeZone: options.timeZone || undefined, // the console's operations zone, not the browser's
        }),
        t: points.length ? points[0].t : 0, index: 0, speed: 60, playing: false, raf: 0, lastFrame: 0, lastLineDraw: 0,
    };
    replays.set(element, state);

    if (points.length > 0) {
        L.polyline(latLngs, { color: '#8a94a6', weight: 4, opacity: 0.55 }).addTo(map);
        state.done = L.polyline([latLngs[0]], { color: '#0d3b8c', weight: 5, opacity: 0.9 }).addTo(map);
        state.marker = L.marker(latLngs[0], {
            icon: L.divIcon({ className: 'sendy-truck-icon replay-truck', html: `<div class="sendy-truck">${truckSvg}</div>`, iconSize: [36, 36], iconAnchor: [18, 18] }),
            keyboard: false, interactive: false, zIndexOffset: 1000,
        }).addTo(map);
        if (state.slider) {
            state.slider.addEventListener('input', state.onSlide = () => seekTo(state, element, Number(state.slider.value) / state.sliderMax, true));
        }
    }
    if (bounds.length > 1) {
        map.fitBounds(L.latLngBounds(bounds), { padding: [36, 36], maxZoom: 15 });
    } else if (bounds.length === 1) {
        map.setView(bounds[0], 14);
    }
    draw(state, element, true);
    element.dataset.mapReady = 'true';
}

export function play(element, speed) {
    const state = replays.get(element);
    if (!state || state.points.length === 0 || state.playing) {
        return;
    }
    state.speed = speed;
    state.playing = true;
    element.dataset.playing = 'true';
    state.lastFrame = performance.now();
    state.raf = requestAnimationFrame(now => frame(state, element, now));
}

export function pause(element) {
    const state = replays.get(element);
    if (!state) {
        return;
    }
    stop(state, element);
    draw(state, element, true);
}

export function setSpeed(element, speed) {
    const state = replays.get(element);
    if (state) {
        state.speed = speed;
    }
}

/** Jumps to a fraction (0..1) of the route's time span. */
export function seek(element, fraction) {
    const state = replays.get(element);
    if (state) {
        seekTo(state, element, fraction, false);
    }
}

function seekTo(state, element, fraction, byViewer) {
    if (state.points.length === 0) {
        return;
    }
    const first = state.points[0].t;
    const last = state.points[state.points.length - 1].t;
    state.t = first + Math.min(1, Math.max(0, fraction)) * (last - first);
    state.index = 0;
    draw(state, element, true);
    if (byViewer) {
        state.dotnet.invokeMethodAsync('ReplaySought', state.t >= last).catch(() => { });
    }
}

function stop(state, element) {
    state.playing = false;
    element.dataset.playing = 'false';
    if (state.raf) {
        cancelAnimationFrame(state.raf);
        state.raf = 0;
    }
}

function frame(state, element, now) {
    if (!state.playing) {
        return;
    }
    const last = state.points[state.points.length - 1].t;
    state.t = Math.min(last, state.t + (now - state.lastFrame) * state.speed);
    state.lastFrame = now;
    const ended = state.t >= last;
    draw(state, element, ended || now - state.lastLineDraw > 120);
    if (ended) {
        stop(state, element);
        state.dotnet.invokeMethodAsync('ReplayEnded').catch(() => { });
        return;
    }
    state.raf = requestAnimationFrame(n => frame(state, element, n));
}

/** Index of the last point at or before time t (points are oldest first). */
function indexAt(points, t, hint) {
    if (hint < points.length - 1 && points[hint].t <= t && points[hint + 1].t > t) {
        return hint;
    }
    let lo = 0;
    let hi = points.length - 1;
    while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (points[mid].t <= t) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

function bearing(a, b) {
    const rad = Math.PI / 180;
    const y = Math.sin((b.lng - a.lng) * rad) * Math.cos(b.lat * rad);
    const x = Math.cos(a.lat * rad) * Math.sin(b.lat * rad) - Math.sin(a.lat * rad) * Math.cos(b.lat * rad) * Math.cos((b.lng - a.lng) * rad);
    return (Math.atan2(y, x) / rad + 360) % 360;
}

function draw(state, element, drawLine) {
    const points = state.points;
    if (points.length === 0) {
        return;
    }
    const i = indexAt(points, state.t, state.index);
    state.index = i;
    const a = points[i];
    const b = points[Math.min(i + 1, points.length - 1)];
    const f = b.t > a.t ? Math.min(1, (state.t - a.t) / (b.t - a.t)) : 0;
    const lat = a.lat + (b.lat - a.lat) * f;
    const lng = a.lng + (b.lng - a.lng) * f;
    state.marker.setLatLng([lat, lng]);
    const heading = a.heading ?? (b !== a ? bearing(a, b) : null);
    const icon = state.marker.getElement()?.querySelector('.sendy-truck');
    if (icon && heading !== null) {
        icon.style.transform = `rotate(${heading}deg)`;
    }
    if (drawLine) {
        state.lastLineDraw = performance.now();
        state.done.setLatLngs(state.latLngs.slice(0, i + 1).concat([[lat, lng]]));
    }
    if (state.playing && !state.map.getBounds().pad(-0.1).contains([lat, lng])) {
        state.map.panTo([lat, lng], { animate: false });
    }

    const first = points[0].t;
    const last = points[points.length - 1].t;
    if (state.slider) {
        state.slider.value = String(Math.round(last > first ? ((state.t - first) / (last - first)) * state.sliderMax : 0));
    }
    if (state.clock) {
        state.clock.textContent = state.clockFormat.format(new Date(state.t));
    }
    element.dataset.markerLat = lat.toFixed(6);
    element.dataset.markerLng = lng.toFixed(6);
    element.dataset.replayTime = String(Math.round(state.t));
}

export function disposeReplay(element) {
    const state = replays.get(element);
    if (state) {
        stop(state, element);
        if (state.slider && state.onSlide) {
            state.slider.removeEventListener('input', state.onSlide);
        }
        state.map.remove();
        replays.delete(element);
    }
}
