/**
 * The organizer page's QR scanner, small and lazy: this module only checks that the
 * browser can open a camera (getUserMedia) and decode QR codes (BarcodeDetector), and
 * shows the Scan button if so. The scanning code loads on the first press. The code field
 * and its form work without any of it.
 */
const button = document.querySelector<HTMLButtonElement>('[data-scan]');
const w = window as unknown as { BarcodeDetector?: { getSupportedFormats?: () => Promise<string[]> } };

async function canScan(): Promise<boolean> {
  if (!w.BarcodeDetector || !navigator.mediaDevices?.getUserMedia) return false;
  try {
    return !w.BarcodeDetector.getSupportedFormats || (await w.BarcodeDetector.getSupportedFormats()).includes('qr_code');
  } catch {
    return false;
  }
}

if (button) {
  void canScan().then((yes) => {
    if (!yes) return;
    button.hidden = false;
    button.addEventListener('click', () => {
      void import('./check-in-scan').then((m) => m.startScanning(button));
    });
  });
}
