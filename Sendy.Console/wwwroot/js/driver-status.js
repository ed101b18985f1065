// Driver page: the current delivery and its next status buttons. A status change is kept in
// localStorage with a client-made idempotency key until the server answers for good, so a
// retry after a lost connection (or a reload) can never apply it twice.

const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 30000;
const REFRESH_MS = 15000;

function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return 'drv-' + Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

function start(root) {
    const token = root.dataset.token;
    const pendingKey = `sendy.driver.status.${token}`;
    const $ = id => document.getElementById(id);
    const ui = { card: $('delivery-card'), summary: $('delivery-summary'), hint: $('delivery-hint'), buttons: $('status-buttons'), state: $('status-state'), none: $('no-delivery') };
    const text = (key, ...args) =>
        (root.dataset[`text${key.charAt(0).toUpperCase()}${key.slice(1).toLowerCase()}`] ?? key)
            .replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)] ?? ''));
    const auth = { Authorization: `Bearer ${token}` };
    let retryMs = 0;
    let retryTimer = null;
    let current = null;

    const loadPending = () => { try { return JSON.parse(localStorage.getItem(pendingKey)); } catch { return null; } };
    const savePending = p => (p ? localStorage.setItem(pendingKey, JSON.stringify(p)) : localStorage.removeItem(pendingKey));

    async function refresh() {
        try {
            const response = await fetch('/api/v1/driver/deliveries/current', { headers: auth, cache: 'no-store' });
            if (response.status === 204) { current = null; } else if (response.ok) { current = await response.json(); } else { return; }
        } catch { return; }
        render();
    }

    function render() {
        ui.card.hidden = !current;
        ui.none.hidden = !!current;
        root.dataset.deliveryStatus = current?.status ?? '';
        if (!current) return;
        ui.summary.textContent = `${current.customerName} · ${text('PickupLabel')}: ${current.pickup?.address ?? '-'} → ${text('DropoffLabel')}: ${current.dropoff?.address ?? '-'}`;
        ui.hint.hidden = !current.atPickup;
        const busy = !!loadPending();
        ui.buttons.replaceChildren(...current.nextStatuses.map((status, i) => {
            const button = document.createElement('button');
            button.type = 'button';
            button.className = `status-button${i === 0 ? ' primary' : ''}${status === 'Failed' ? ' danger' : ''}`;
            button.dataset.status = status;
            button.textContent = text(`Next_${status}`);
            button.disabled = busy;
            button.addEventListener('click', () => choose(status));
            return button;
        }));
    }

    function choose(status) {
        if (!current || loadPending()) return;
        let reason = null;
        if (status === 'Delivered' && !window.confirm(text('ConfirmDelivered'))) return;
        if (status === 'Failed') {
            reason = window.prompt(text('FailedReasonPrompt'));
            if (!reason || !reason.trim()) return;
        }
        savePending({ deliveryId: current.id, status, reason, key: newKey() });
        // driver.js records the position of this moment, however close to the last one.
        document.dispatchEvent(new CustomEvent('sendy:status-changed', { detail: { status } }));
        render();
        send();
    }

    async function send() {
        clearTimeout(retryTimer);
        const pending = loadPending();
        if (!pending) return;
        let response;
        try {
            response = await fetch(`/api/v1/deliveries/${pending.deliveryId}/status`, {
                method: 'POST',
                headers: { ...auth, 'Content-Type': 'application/json' },
                body: JSON.stringify({ status: pending.status, reason: pending.reason, idempotencyKey: pending.key }),
            });
        } catch {
            return retryLater();
        }
        if (response.status >= 500 || response.status === 429) return retryLater();
        savePending(null);
        retryMs = 0;
        ui.state.textContent = response.ok ? text('StatusSaved', text(`Next_${pending.status}`)) : text('StatusRefused', text(`Next_${pending.status}`));
        await refresh();
    }

    function retryLater() {
        retryMs = Math.min(Math.max(retryMs * 2, RETRY_MIN_MS), RETRY_MAX_MS);
        ui.state.textContent = text('StatusRetry');
        retryTimer = setTimeout(send, retryMs);
    }

    window.addEventListener('online', () => { retryMs = 0; send(); });
    setInterval(refresh, REFRESH_MS);
    refresh().then(send);
}

const root = document.getElementById('driver-app');
if (root) {
    start(root);
}
