// Driver page: shares the phone's position with the ingest API and keeps working offline.
// Fixes are queued in localStorage (per token) and flushed in batches; the queue and the
// sharing state survive reloads. Strings come from data-text-* attributes on #driver-app, the
// sampling settings from data-min-distance (m), data-min-interval (s), data-high-accuracy and
// data-max-age (s): a fix is kept only when the truck moved far enough or enough time passed
// since the last kept one, and always right after a status change (driver-status.js says so
// with a "sendy:status-changed" event). While sharing, a screen wake lock keeps the page in
// the foreground, where browsers keep delivering positions.

const FLUSH_INTERVAL_MS = 5000;
const FLUSH_AT = 50;
const MAX_BATCH = 500;
const MAX_QUEUE = 20000;
const BACKOFF_MIN_MS = 2000;
const BACKOFF_MAX_MS = 60000;

function start(root) {
    const token = root.dataset.token;
    const queueKey = `sendy.driver.queue.${token}`;
    const sharingKey = `sendy.driver.sharing.${token}`;
    const $ = id => document.getElementById(id);
    const ui = {
        button: $('share-toggle'),
        state: $('share-state'),
        online: $('online-state'),
        queue: $('queue-length'),
        lastFix: $('last-fix'),
        lastUpload: $('last-upload'),
        warning: $('driver-warning'),
        wake: $('wake-state'),
    };
    const setting = (name, fallback) => {
        const value = Number(root.dataset[name]);
        return Number.isFinite(value) && value >= 0 ? value : fallback;
    };
    const minDistanceM = setting('minDistance', 25);
    const minIntervalMs = setting('minInterval', 30) * 1000;
    const maxAgeMs = setting('maxAge', 10) * 1000;
    const highAccuracy = root.dataset.highAccuracy !== 'false';
    const text = (key, ...args) =>
        (root.dataset[`text${key.charAt(0).toUpperCase()}${key.slice(1).toLowerCase()}`] ?? key)
            .replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)] ?? ''));

    let queue = loadQueue();
    let nextId = queue.reduce((max, item) => Math.max(max, item.id), 0) + 1;
    let watchId = null;
    let wakeLock = null;
    let sending = false;
    let stopped = false; // 401: this link is dead, stop for good on this page
    let batchSize = MAX_BATCH;
    let backoffMs = 0;
    let retryAt = 0;
    let dropped = 0;
    let lastKept = null; // { lat, lon, at } of the last fix put in the queue
    let keptPosition = null; // ... and the position it came from
    let lastSeen = null; // the latest position the browser gave, kept or not
    let forceNext = false;
    let skipped = 0;
    let wakeState = 'wakeOff';

    function loadQueue() {
        try {
            const items = JSON.parse(localStorage.getItem(queueKey) ?? '[]');
            return Array.isArray(items) ? items.filter(i => i && typeof i.id === 'number' && i.fix) : [];
        } catch {
            return [];
        }
    }

    function saveQueue() {
        for (;;) {
            try {
                localStorage.setItem(queueKey, JSON.stringify(queue));
                return;
            } catch {
                // Storage full: give up the oldest tenth rather than the newest positions.
                if (queue.length === 0) return;
                drop(Math.max(1, Math.ceil(queue.length / 10)));
            }
        }
    }

    function drop(count) {
        queue.splice(0, count);
        dropped += count;
        warn(text('QueueCapped', dropped));
    }

    function warn(message) {
        ui.warning.textContent = message;
        ui.warning.hidden = !message;
    }

    function time(date) {
        return date.toLocaleTimeString(document.documentElement.lang || undefined);
    }

    function number(value) {
        return typeof value === 'number' && Number.isFinite(value) ? value : null;
    }

    function render() {
        const sharing = watchId !== null;
        ui.button.disabled = stopped;
        ui.button.textContent = sharing ? text('Stop') : text('Start');
        ui.button.classList.toggle('sharing', sharing);
        ui.button.setAttribute('aria-pressed', String(sharing));
        ui.state.textContent = sharing ? text('Sharing') : text('NotSharing');
        ui.state.classList.toggle('on', sharing);
        ui.online.textContent = navigator.onLine ? text('Online') : text('Offline');
        ui.online.classList.toggle('offline', !navigator.onLine);
        ui.queue.textContent = String(queue.length);
        root.dataset.queueLength = String(queue.length);
        root.dataset.sharing = String(sharing);
    }

    // Metres between two points (haversine): plenty accurate for tens of metres.
    function distanceM(a, b) {
        const rad = Math.PI / 180;
        const dLat = (b.lat - a.lat) * rad;
        const dLon = (b.lon - a.lon) * rad;
        const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
        return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
    }

    function worthKeeping(point) {
        if (forceNext || lastKept === null) return true;
        return distanceM(lastKept, point) >= minDistanceM || point.at - lastKept.at >= minIntervalMs;
    }

    function onPosition(position) {
        lastSeen = position;
        const c = position.coords;
        const point = { lat: c.latitude, lon: c.longitude, at: position.timestamp };
        if (!worthKeeping(point)) {
            skipped++;
            root.dataset.skipped = String(skipped);
            return;
        }
        forceNext = false;
        lastKept = point;
        keptPosition = position;
        enqueue(position);
    }

    function enqueue(position) {
        const c = position.coords;
        const fix = {
            lat: c.latitude,
            lon: c.longitude,
            recordedAt: new Date(position.timestamp).toISOString(),
            speed: number(c.speed),
            heading: number(c.heading),
            accuracy: number(c.accuracy),
        };
        queue.push({ id: nextId++, fix });
        if (queue.length > MAX_QUEUE) {
            drop(queue.length - MAX_QUEUE);
        }
        saveQueue();
        ui.lastFix.textContent = `${time(new Date(position.timestamp))} (${text('Accuracy', Math.round(fix.accuracy ?? 0))})`;
        render();
        if (queue.length >= FLUSH_AT) {
            flush();
        }
    }

    function startSharing() {
        if (!('geolocation' in navigator)) {
            warn(text('GeoUnsupported'));
            return;
        }
        if (watchId !== null || stopped) return;
        watchId = navigator.geolocation.watchPosition(
            onPosition,
            error => {
                if (error.code === error.PERMISSION_DENIED) {
                    warn(text('GeoDenied'));
                    stopSharing();
                } else {
                    warn(text('GeoUnavailable'));
                }
            },
            { enableHighAccuracy: highAccuracy, maximumAge: maxAgeMs, timeout: 30000 });
        localStorage.setItem(sharingKey, '1');
        keepAwake();
        render();
    }

    function stopSharing() {
        if (watchId !== null) {
            navigator.geolocation.clearWatch(watchId);
            watchId = null;
        }
        localStorage.removeItem(sharingKey);
        releaseWake();
        lastKept = keptPosition = lastSeen = null;
        render();
        flush();
    }

    function showWake(state) {
        wakeState = state;
        ui.wake.textContent = text(state);
        ui.wake.classList.toggle('on', state === 'wakeOn');
        root.dataset.wakeLock = state === 'wakeOn' ? 'on' : state === 'wakeUnsupported' ? 'unsupported' : 'off';
    }

    async function keepAwake() {
        // Best effort: a screen that stays on keeps the browser (and location) in the foreground.
        if (!('wakeLock' in navigator)) {
            showWake('wakeUnsupported');
            return;
        }
        if (watchId === null || wakeLock !== null || document.visibilityState !== 'visible') return;
        try {
            const sentinel = await navigator.wakeLock.request('screen');
            if (watchId === null) {
                // Sharing stopped while the request was pending.
                sentinel.release().catch(() => {});
                return;
            }
            wakeLock = sentinel;
            // The browser drops the lock when the page is hidden; visibilitychange asks again.
            sentinel.addEventListener?.('release', () => {
                if (wakeLock === sentinel) wakeLock = null;
                showWake('wakeOff');
            });
            showWake('wakeOn');
        } catch {
            wakeLock = null;
            showWake('wakeOff');
        }
    }

    function releaseWake() {
        const sentinel = wakeLock;
        wakeLock = null;
        sentinel?.release().catch(() => {});
        if (wakeState !== 'wakeUnsupported') showWake('wakeOff');
    }

    function retryAfterMs(response) {
        const header = response.headers.get('Retry-After');
        if (!header) return null;
        const seconds = Number(header);
        if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
        const date = Date.parse(header);
        return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
    }

    function scheduleRetry(hintMs, key) {
        backoffMs = backoffMs ? Math.min(backoffMs * 2, BACKOFF_MAX_MS) : BACKOFF_MIN_MS;
        const jittered = backoffMs * (0.8 + Math.random() * 0.4);
        const wait = Math.min(Math.max(hintMs ?? 0, jittered), 10 * BACKOFF_MAX_MS);
        retryAt = Date.now() + wait;
        ui.lastUpload.textContent = text(key, Math.ceil(wait / 1000), time(new Date()));
    }

    async function problemText(response) {
        try {
            const problem = await response.json();
            return problem.detail || problem.title || String(response.status);
        } catch {
            return String(response.status);
        }
    }

    async function flush() {
        if (sending || stopped || queue.length === 0 || Date.now() < retryAt) return;
        sending = true;
        const batch = queue.slice(0, batchSize);
        try {
            let response;
            try {
                response = await fetch('/api/v1/positions', {
                    method: 'POST',
                    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
                    body: JSON.stringify({ fixes: batch.map(item => item.fix) }),
                    keepalive: false,
                });
            } catch {
                scheduleRetry(null, 'UploadNetwork');
                return;
            }

            if (response.status === 202 || response.ok) {
                remove(batch);
                backoffMs = 0;
                retryAt = 0;
                batchSize = Math.min(MAX_BATCH, batchSize * 2);
                ui.lastUpload.textContent = text('UploadOk', batch.length, time(new Date()));
                if (queue.length >= FLUSH_AT) setTimeout(flush, 0);
            } else if (response.status === 401 || response.status === 403) {
                stopped = true;
                stopSharing();
                warn(text('LinkInvalid'));
                ui.lastUpload.textContent = text('UploadRejected', response.status, time(new Date()));
            } else if (response.status === 413) {
                if (batch.length > 1) {
                    batchSize = Math.max(1, Math.floor(batch.length / 2));
                    setTimeout(flush, 0);
                } else {
                    remove(batch); // one fix too large: it can never be accepted
                    ui.lastUpload.textContent = text('UploadRejected', 413, time(new Date()));
                }
            } else if (response.status === 400 || response.status === 422) {
                // Invalid data: retrying the same batch would fail forever.
                remove(batch);
                const detail = await problemText(response);
                ui.lastUpload.textContent = text('UploadRejected', detail, time(new Date()));
                warn(text('UploadRejected', detail, time(new Date())));
            } else {
                // 5xx, 429, and anything unexpected (404 while the API is deployed, ...): keep the fixes.
                scheduleRetry(retryAfterMs(response), 'UploadRetry');
            }
        } finally {
            sending = false;
            render();
        }
    }

    function remove(batch) {
        const sent = new Set(batch.map(item => item.id));
        queue = queue.filter(item => !sent.has(item.id));
        saveQueue();
    }

    ui.button.addEventListener('click', () => (watchId === null ? startSharing() : stopSharing()));
    window.addEventListener('online', () => { backoffMs = 0; retryAt = 0; render(); flush(); });
    window.addEventListener('offline', render);
    document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') {
            keepAwake();
            flush();
        }
    });
    // A status change is a moment the trail must show: the latest position is kept even if it was
    // skipped as too close, and so is the next one.
    document.addEventListener('sendy:status-changed', () => {
        if (watchId === null) return;
        forceNext = true;
        if (lastSeen !== null && lastSeen !== keptPosition) onPosition(lastSeen);
    });
    // Another tab with the same link changed the queue: take its view.
    window.addEventListener('storage', event => {
        if (event.key === queueKey) {
            queue = loadQueue();
            render();
        }
    });
    setInterval(flush, FLUSH_INTERVAL_MS);

    ui.button.disabled = false;
    if (!('wakeLock' in navigator)) showWake('wakeUnsupported');
    if (localStorage.getItem(sharingKey) === '1') {
        startSharing();
    }
    render();
    flush();
}

const root = document.getElementById('driver-app');
if (root) {
    start(root);
}
