/**
 * The event page's islands. The page is complete without them; this adds the reader's
 * own time when their zone differs from the event's, and sends the RSVP form in place
 * (the same POST the form makes without script, then the server's answer swapped in).
 */
import { h, render } from 'preact';
import { keepSpotsFresh } from './spots.js';

function LocalTime(props: { start: string; end: string; zone: string }) {
  const fmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  const endFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  return h('span', null, 'Your time: ', fmt.format(new Date(props.start)).replace(/\s\S+$/, ''), ' – ', endFmt.format(new Date(props.end)));
}

function showLocalTime() {
  const el = document.querySelector<HTMLElement>('[data-local-time]');
  const out = document.querySelector<HTMLElement>('[data-local-time-out]');
  if (!el || !out) return;
  const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zone = el.dataset.zone!;
  const offset = (tz: string) => new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).format(new Date(el.dataset.start!));
  if (!mine || offset(mine) === offset(zone)) return;
  render(h(LocalTime, { start: el.dataset.start!, end: el.dataset.end!, zone }), out);
  out.hidden = false;
}

async function sendInPlace(form: HTMLFormElement, submitter: HTMLElement | null) {
  const button = submitter instanceof HTMLButtonElement ? submitter : form.querySelector('button');
  button?.setAttribute('aria-busy', 'true');
  if (button) button.disabled = true;
  try {
    const res = await fetch(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form) as unknown as Record<string, string>),
      credentials: 'same-origin',
    });
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const fresh = doc.getElementById('rsvp');
    if (!fresh) throw new Error('no RSVP section in the answer');
    for (const sel of ['#rsvp', '.spots', '.where']) {
      const next = doc.querySelector(sel);
      const here = document.querySelector(sel);
      if (next && here) here.replaceWith(document.importNode(next, true));
    }
    history.replaceState(null, '', res.url || location.href);
    const focus = document.querySelector<HTMLElement>('#rsvp .error-summary, #rsvp .notice, #rsvp h2');
    if (focus) {
      focus.tabIndex = -1;
      focus.focus();
    }
    enhance();
  } catch {
    // Anything unexpected: let the browser send the form the ordinary way.
    form.submit();
  }
}

function enhance() {
  for (const form of document.querySelectorAll<HTMLFormElement>('#rsvp form')) {
    if (form.dataset.enhanced) continue;
    form.dataset.enhanced = '1';
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void sendInPlace(form, (ev as SubmitEvent).submitter as HTMLElement | null);
    });
  }
}

showLocalTime();
enhance();
keepSpotsFresh();
