// Copying a customer's tracking link. navigator.clipboard exists only in secure contexts (https,
// localhost); elsewhere, or when the browser refuses, the caller shows the link in a read-only
// field and selectText selects it so the dispatcher can press Ctrl+C.

export async function copyText(text) {
    if (!window.isSecureContext || !navigator.clipboard) {
        return false;
    }
    try {
        await navigator.clipboard.writeText(text);
        return true;
    } catch {
        return false;
    }
}

/** Selects the text of the input inside (or at) element; returns whether the legacy copy command took it. */
export function selectText(element) {
    const input = element && (element.matches('input, textarea') ? element : element.querySelector('input, textarea'));
    if (!input) {
        return false;
    }
    input.focus();
    input.select();
    try {
        // Deprecated but still the only way on plain http; harmless when it does nothing.
        return document.execCommand('copy');
    } catch {
        return false;
    }
}
