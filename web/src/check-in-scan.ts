/**
 * Scanning: the camera's picture goes to BarcodeDetector a few times a second; the first
 * QR code that reads as a check-in code fills the code field and submits the same form a
 * person would, so the server answers exactly as for a typed code.
 */
interface Detected {
  rawValue: string;
}
type Detector = { detect(source: CanvasImageSource): Promise<Detected[]> };
type DetectorClass = new (opts: { formats: string[] }) => Detector;

/** A check-in code as the server takes it (CheckIn in the API's schemas), from what a QR code says. */
export function codeFrom(raw: string): string | null {
  const code = raw.replace(/\s+/g, '').toUpperCase();
  return /^[A-Z0-9]{6,12}$/.test(code) ? code : null;
}

let running = false;

export async function startScanning(button: HTMLButtonElement): Promise<void> {
  if (running) return;
  const form = button.closest('form')!;
  const box = form.querySelector<HTMLElement>('[data-scanner]')!;
  const video = box.querySelector<HTMLVideoElement>('[data-scan-video]')!;
  const status = box.querySelector<HTMLElement>('[data-scan-status]')!;
  const stop = box.querySelector<HTMLButtonElement>('[data-scan-stop]')!;
  const input = form.querySelector<HTMLInputElement>('input[name=code]')!;
  const Detector = (window as unknown as { BarcodeDetector: DetectorClass }).BarcodeDetector;
  let stream: MediaStream | undefined;
  let timer: number | undefined;
  const end = () => {
    running = false;
    if (timer !== undefined) clearTimeout(timer);
    stream?.getTracks().forEach((t) => t.stop());
    video.srcObject = null;
    box.hidden = true;
    button.hidden = false;
    button.focus();
  };
  running = true;
  box.hidden = false;
  button.hidden = true;
  status.textContent = 'Opening the camera…';
  stop.onclick = end;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  } catch {
    end();
    status.textContent = '';
    input.focus();
    return;
  }
  video.srcObject = stream;
  await video.play().catch(() => undefined);
  status.textContent = 'Point the camera at the QR code in the confirmation mail.';
  stop.focus();
  const detector = new Detector({ formats: ['qr_code'] });
  const tick = async () => {
    if (!running) return;
    try {
      const found = video.readyState >= 2 ? await detector.detect(video) : [];
      for (const f of found) {
        const code = codeFrom(f.rawValue);
        if (!code) continue;
        input.value = code;
        status.textContent = `Read ${code}; checking in…`;
        end();
        form.requestSubmit();
        return;
      }
    } catch {
      // A frame that cannot be read: try the next one.
    }
    timer = window.setTimeout(() => void tick(), 250);
  };
  void tick();
}
