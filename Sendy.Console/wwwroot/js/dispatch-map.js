// Leaflet + leaflet.markercluster for the dispatcher map (FleetMap component). One marker per
// truck, kept for the life of the map: updates move markers and restyle their icons in place.
// Blazor passes the element; per-map state lives in a WeakMap.
//
// updateTrucks rows: [truckId, lat, lng, heading|null, speedMps|null, takenAtMs]. The state
// (moving / stopped / stale) is worked out here from speed and fix age with the server's
// thresholds and clock, and re-checked every few seconds so a silent truck turns stale.

const maps = new WeakMap();
const libBase = new URL('../lib/', import.meta.url);
let librariesLoading;

function loadScript(href) {
    return new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = href;
        script.onload = resolve;
        script.onerror = () => reject(new Error(`${href} could not be loaded`));
        document.head.appendChild(script);
    });
}

function ensureCss(href, marker) {
    if (!document.querySelector(`link[data-${marker}]`) && !document.querySelector(`link[href$="${href.split('/').pop()}"]`)) {
        const css = document.createElement('link');
        css.rel = 'stylesheet';
        css.href = href;
        css.setAttribute(`data-${marker}`, '');
        document.head.appendChild(css);
    }
}

function loadLibraries() {
    if (window.L && window.L.MarkerClusterGroup) {
        return Promise.resolve(window.L);
    }
    if (!librariesLoading) {
        ensureCss(new URL('leaflet/leaflet.css', libBase).href, 'sendy-leaflet');
        ensureCss(new URL('leaflet.markercluster/MarkerCluster.css', libBase).href, 'sendy-cluster');
        librariesLoading = (window.L ? Promise.resolve() : loadScript(new URL('leaflet/leaflet.js', libBase).href))
            .then(() => window.L.MarkerClusterGroup
                ? undefined
                : loadScript(new URL('leaflet.markercluster/leaflet.markercluster.js', libBase).href))
            .then(() => window.L)
            .catch(error => {
                librariesLoading = undefined;
                throw error;
            });
    }
    return librariesLoading;
}

// ---------------------------------------------------------------- icons

const STATES = ['moving', 'stopped', 'stale'];
const arrow = '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">' +
    '<circle cx="12" cy="12" r="10"/><path d="M12 4.5 L17 16.5 L12 13.6 L7 16.5 Z" fill="#fff"/></svg>';
const dot = '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">' +
    '<circle cx="12" cy="12" r="10"/><rect x="8.5" y="8.5" width="7" height="7" rx="1.5" fill="#fff"/></svg>';

function hasHeading(heading) {
    return typeof heading === 'number' && Number.isFinite(heading);
}

function innerClass(truck, selected) {
    return `dm-truck dm-${truck.state}${selected ? ' dm-selected' : ''}`;
}

function innerHtml(truck, selected) {
    const rotation = hasHeading(truck.heading) ? ` style="transform: rotate(${truck.heading}deg)"` : '';
    return `<div class="${innerClass(truck, selected)}"${rotation}>${hasHeading(truck.heading) ? arrow : dot}</div>`;
}

// A marker's icon object is used when Leaflet (re)creates its element, e.g. when it leaves a
// cluster. Visible markers are restyled in place (class and rotation), never re-created.
function makeIcon(L, truck, selected) {
    return L.divIcon({
        className: 'dm-icon',
        html: innerHtml(truck, selected),
        iconSize: selected ? [32, 32] : [24, 24],
        iconAnchor: selected ? [16, 16] : [12, 12],
    });
}

function restyle(state, truck, shapeChanged) {
    const selected = state.selectedId === truck.id;
    const icon = makeIcon(window.L, truck, selected);
    const element = truck.marker.getElement();
    if (!element || shapeChanged) {
        truck.marker.setIcon(icon);
        return;
    }
    truck.marker.options.icon = icon;
    const inner = element.firstElementChild;
    inner.className = innerClass(truck, selected);
    inner.style.transform = hasHeading(truck.heading) ? `rotate(${truck.heading}deg)` : '';
}

function clusterIcon(L) {
    return cluster => {
        const children = cluster.getAllChildMarkers();
        let stale = 0;
        for (const marker of children) {
            if (marker.options.sendyTruck.state === 'stale') {
                stale++;
            }
        }
        const count = children.length;
        const size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 42 : 48;
        const badge = stale > 0 ? `<span class="dm-cluster-stale" title="stale">${stale}</span>` : '';
        return L.divIcon({
            className: 'dm-cluster-icon',
            html: `<div class="dm-cluster" style="width:${size}px;height:${size}px"><span>${count}</span>${badge}</div>`,
            iconSize: [size, size],
        });
    };
}

// ---------------------------------------------------------------- state

function stateOf(state, speed, takenAtMs) {
    const now = Date.now() + state.clockOffsetMs;
    if (!(takenAtMs > 0) || now - takenAtMs > state.staleAfterMs) {
        return 'stale';
    }
    return typeof speed === 'number' && speed >= state.movingSpeedMps ? 'moving' : 'stopped';
}

function publishCounts(state) {
    const el = state.element;
    el.dataset.truckCount = String(state.trucks.size);
    el.dataset.batches = String(state.batches);
}

// ---------------------------------------------------------------- API

export async function createMap(element, options, dotNet) {
    const L = await loadLibraries();
    disposeMap(element);

    const map = L.map(element, {
        center: options.center,
        zoom: options.zoom,
        zoomControl: true,
        attributionControl: true,
        // markercluster keeps a grid per zoom level: no continent-wide levels nobody dispatches at.
        minZoom: options.minZoom ?? 4,
    });
    if (options.tileUrl) {
        // Without network the tiles fail and the container's own background shows instead.
        L.tileLayer(options.tileUrl, { maxZoom: options.maxZoom, attribution: options.attribution }).addTo(map);
    }
    const cluster = L.markerClusterGroup({
        chunkedLoading: true,
        showCoverageOnHover: false,
        // Clustering stops at the truck zoom, so there is nothing to spiderfy.
        spiderfyOnMaxZoom: false,
        maxClusterRadius: 60,
        disableClusteringAtZoom: options.truckZoom,
        iconCreateFunction: clusterIcon(L),
    }).addTo(map);
    const trail = L.layerGroup().addTo(map);

    const state = {
        element, map, cluster, trail, dotNet,
        trucks: new Map(),
        selectedId: null,
        trailId: null,
        trailLine: null,
        truckZoom: options.truckZoom,
        staleAfterMs: options.staleAfterMs,
        movingSpeedMps: options.movingSpeedMps,
        clockOffsetMs: options.serverNowMs - Date.now(),
        batches: 0,
        sweep: 0,
        deferred: new Set(),
        zooming: false,
    };
    // The group re-clusters after a zoom with an animation; markers are not re-filed under it.
    map.on('zoomstart', () => {
        state.zooming = true;
    });
    const zoomDone = () => {
        if (state.zooming) {
            state.zooming = false;
            if (state.deferred.size > 0) {
                moveMarkers(state, [...state.deferred]);
            }
        }
    };
    cluster.on('animationend', zoomDone);
    map.on('zoomend', () => window.setTimeout(zoomDone, 500));
    cluster.on('click', e => {
        const truck = e.layer?.options?.sendyTruck;
        if (truck && state.dotNet) {
            state.dotNet.invokeMethodAsync('OnTruckClicked', truck.id).catch(() => { /* circuit gone */ });
        }
    });
    // Trucks that stop reporting turn stale without any update arriving.
    state.sweep = window.setInterval(() => sweepStale(state), options.sweepMs ?? 5000);
    maps.set(element, state);
    publishCounts(state);
    element.dataset.mapReady = 'true';
}

export function updateTrucks(element, rows) {
    const state = maps.get(element);
    if (!state || !rows) {
        return;
    }
    const L = window.L;
    const added = [];
    const moved = [];
    const restyledInClusters = [];
    let last = null;
    for (const row of rows) {
        const [id, lat, lng, heading, speed, takenAtMs] = row;
        let truck = state.trucks.get(id);
        const newState = stateOf(state, speed, takenAtMs);
        if (!truck) {
            truck = { id, lat, lng, heading, speed, takenAtMs, state: newState, marker: null, filed: L.latLng(lat, lng) };
            truck.marker = L.marker([lat, lng], {
                icon: makeIcon(L, truck, state.selectedId === id),
                keyboard: false,
                sendyTruck: truck,
                title: id,
            });
            state.trucks.set(id, truck);
            added.push(truck.marker);
        } else {
            const shapeChanged = hasHeading(truck.heading) !== hasHeading(heading);
            const stateChanged = truck.state !== newState;
            truck.heading = heading;
            truck.speed = speed;
            truck.takenAtMs = takenAtMs;
            truck.state = newState;
            if (truck.lat !== lat || truck.lng !== lng) {
                truck.lat = lat;
                truck.lng = lng;
                if (truck.marker.getElement()) {
                    drawAt(state, truck);
                }
                if (!state.zooming && needsRefiling(state, truck)) {
                    moved.push(truck);
                } else {
                    state.deferred.add(truck);
                }
            }
            restyle(state, truck, shapeChanged);
            if (stateChanged && !truck.marker.getElement()) {
                restyledInClusters.push(truck.marker);
            }
            if (state.trailId === id && state.trailLine) {
                state.trailLine.addLatLng([lat, lng]);
            }
        }
        last = truck;
    }
    if (moved.length > 0) {
        moveMarkers(state, moved);
    }
    if (added.length > 0) {
        state.cluster.addLayers(added);
    }
    if (restyledInClusters.length > 0) {
        // Cluster badges count stale trucks: redraw only the clusters holding changed ones.
        state.cluster.refreshClusters(restyledInClusters);
    }
    state.batches++;
    if (last) {
        element.dataset.lastTruck = last.id;
        element.dataset.lastLat = String(last.lat);
        element.dataset.lastLng = String(last.lng);
    }
    publishCounts(state);
}

// Moving a marker inside a cluster group means re-filing it in the group's per-zoom grids (and
// redrawing the icons of every cluster above it): the expensive part of an update. So a marker
// drawn on its own is moved on screen at once, without re-filing, the way markercluster's own
// spiderfier moves markers (_ignoreMove); a marker is re-filed only once it has drifted
// REFILE_PIXELS from where it is filed at the current zoom (zoomed out, a truck needs minutes
// for that), in bulk, and every drifted one is re-filed when the zoom changes. Cluster
// membership is therefore at most a few pixels out of date; drawn markers never are.
const REFILE_PIXELS = 6;

function drawAt(state, truck) {
    state.cluster._ignoreMove = true;
    try {
        truck.marker.setLatLng([truck.lat, truck.lng]);
    } finally {
        state.cluster._ignoreMove = false;
    }
}

function needsRefiling(state, truck) {
    const zoom = state.map.getZoom();
    return state.map.project([truck.lat, truck.lng], zoom).distanceTo(state.map.project(truck.filed, zoom)) >= REFILE_PIXELS;
}

// Out and back in bulk: bounds and cluster icons are recomputed once per batch, not per marker.
// The group finds a marker in its grids by the position it was filed at, so that goes back first.
function moveMarkers(state, moved) {
    const markers = [];
    for (const truck of moved) {
        state.deferred.delete(truck);
        truck.marker._latlng = truck.filed;
        markers.push(truck.marker);
    }
    state.cluster.removeLayers(markers);
    // removeLayers leaves the group's move listener on the markers: moving them must not re-file them one by one.
    state.cluster._ignoreMove = true;
    try {
        for (const truck of moved) {
            truck.marker.setLatLng([truck.lat, truck.lng]);
            truck.filed = truck.marker.getLatLng();
        }
    } finally {
        state.cluster._ignoreMove = false;
    }
    state.cluster.addLayers(markers);
}

function sweepStale(state) {
    const changed = [];
    for (const truck of state.trucks.values()) {
        const next = stateOf(state, truck.speed, truck.takenAtMs);
        if (next !== truck.state) {
            truck.state = next;
            restyle(state, truck, false);
            if (!truck.marker.getElement()) {
                changed.push(truck.marker);
            }
        }
    }
    if (changed.length > 0) {
        state.cluster.refreshClusters(changed);
    }
}

export function selectTruck(element, id, zoom) {
    const state = maps.get(element);
    if (!state) {
        return;
    }
    const previous = state.selectedId ? state.trucks.get(state.selectedId) : null;
    state.selectedId = id;
    if (previous) {
        previous.marker.setZIndexOffset(0);
        restyle(state, previous, true);
    }
    const truck = id ? state.trucks.get(id) : null;
    element.dataset.selectedTruck = id ?? '';
    if (!truck) {
        return;
    }
    restyle(state, truck, true);
    truck.marker.setZIndexOffset(1000);
    if (zoom) {
        // Zooms in until the marker leaves its cluster, then centres on it.
        state.cluster.zoomToShowLayer(truck.marker, () => state.map.panTo(truck.marker.getLatLng()));
    }
}

export function showTrail(element, id, points) {
    const state = maps.get(element);
    if (!state) {
        return;
    }
    state.trail.clearLayers();
    state.trailLine = null;
    state.trailId = null;
    element.dataset.trailPoints = '0';
    if (!id || !points || points.length === 0) {
        return;
    }
    const truck = state.trucks.get(id);
    const latLngs = points.slice();
    if (truck) {
        latLngs.push([truck.lat, truck.lng]);
    }
    const L = window.L;
    L.polyline(latLngs, { color: '#ffffff', weight: 7, opacity: 0.85, interactive: false }).addTo(state.trail);
    state.trailLine = L.polyline(latLngs, { color: '#0d3b8c', weight: 4, opacity: 0.9, interactive: false }).addTo(state.trail);
    // The white casing under the line must grow with it.
    const casing = state.trail.getLayers()[0];
    const addLatLng = state.trailLine.addLatLng.bind(state.trailLine);
    state.trailLine.addLatLng = latLng => {
        casing.addLatLng(latLng);
        return addLatLng(latLng);
    };
    L.circleMarker(points[0], { radius: 5, color: '#0d3b8c', weight: 2, fillColor: '#fff', fillOpacity: 1, interactive: false })
        .addTo(state.trail);
    state.trailId = id;
    element.dataset.trailPoints = String(points.length);
}

export function fitTrucks(element) {
    const state = maps.get(element);
    if (!state || state.trucks.size === 0) {
        return;
    }
    const bounds = state.cluster.getBounds();
    if (bounds.isValid()) {
        state.map.fitBounds(bounds, { padding: [24, 24], maxZoom: state.truckZoom });
    }
}

export function invalidateSize(element) {
    maps.get(element)?.map.invalidateSize();
}

export function disposeMap(element) {
    const state = maps.get(element);
    if (state) {
        window.clearInterval(state.sweep);
        state.dotNet = null;
        state.map.remove();
        maps.delete(element);
    }
}

// For tests and for the console: where the map holds a truck (its marker is drawn within
// REFILE_PIXELS of it), its state, and how many trucks there are.
function firstMap() {
    const element = document.querySelector('[data-testid=fleet-map]');
    return element ? maps.get(element) : undefined;
}

window.sendyDispatch = {
    markerLatLng(id) {
        const truck = firstMap()?.trucks.get(id);
        return truck ? [truck.lat, truck.lng] : null;
    },
    markerState(id) {
        return firstMap()?.trucks.get(id)?.state ?? null;
    },
    truckCount() {
        return firstMap()?.trucks.size ?? 0;
    },
    /** Zooms until the truck's marker is out of its cluster (no selection). */
    focus(id) {
        const state = firstMap();
        const truck = state?.trucks.get(id);
        return new Promise(resolve => truck ? state.cluster.zoomToShowLayer(truck.marker, resolve) : resolve());
    },
    /** Largest gap, in screen pixels, between a drawn marker and its truck's latest position. */
    drawnDrift() {
        const state = firstMap();
        let worst = 0;
        for (const truck of state?.trucks.values() ?? []) {
            if (truck.marker.getElement()) {
                const zoom = state.map.getZoom();
                worst = Math.max(worst, state.map.project(truck.marker.getLatLng(), zoom)
                    .distanceTo(state.map.project([truck.lat, truck.lng], zoom)));
            }
        }
        return worst;
    },
    view(lat, lng, zoom) {
        firstMap()?.map.setView([lat, lng], zoom, { animate: false });
    },
};
