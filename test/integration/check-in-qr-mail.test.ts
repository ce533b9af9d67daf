/**
 * The confirmation mail as the local SES receives it, through the outbox and the stream
 * sender: an inline PNG part (Content-ID check-in-qr) that decodes to the attendee's code,
 * shown by cid: in the HTML, with the code in text and the event page's link.
 */
import { PNG } from 'pngjs';
import jsQRModule from 'jsqr';
import { signIn } from '../support/http.js';
import { buildAssociation, expectStatus } from '../support/fixtures.js';
import { createEvent, rsvp, subjectStarts, waitForMail } from '../support/events.js';

// jsqr is CommonJS: its default export is the module under NodeNext's types, the function at run time.
type Decoder = typeof jsQRModule.default;
const jsQR: Decoder = typeof jsQRModule === 'function' ? (jsQRModule as unknown as Decoder) : jsQRModule.default;

it('carries a QR code of the check-in code that a scanner reads', async () => {
  const fx = await buildAssociation();
  const ev = await createEvent(fx.organizer, fx.associationId, { title: 'QR night' });
  const ada = await signIn('qr', 'Ada QR');
  const code = expectStatus(await rsvp(ada, ev.eventId), 200, 'rsvp').body.checkInCode as string;

  const [mail] = await waitForMail(ada.email, { filter: subjectStarts("You're going: QR night") });
  const part = mail!.attachments.find((a) => a.contentType === 'image/png') as { content: string; contentId?: string; contentDisposition?: string } | undefined;
  expect(part).toMatchObject({ contentId: 'check-in-qr', contentDisposition: 'INLINE' });
  const png = PNG.sync.read(Buffer.from(part!.content, 'base64'));
  expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(code);
  expect(mail!.body.html).toContain('<img src="cid:check-in-qr"');
  expect(mail!.body.text).toContain(code);
  expect(mail!.body.text).toContain(`/e/${ev.eventId}`);
});
