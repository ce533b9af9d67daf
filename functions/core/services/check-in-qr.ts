/**
 * The QR code of an attendee's check-in code, as an inline image attachment of the mail
 * (Content-ID, referenced as cid: in the HTML). Mail clients show cid: images; Gmail and
 * others block data: URIs, and a hosted image would need a signed link per attendee.
 */
import type { OutboxMail } from '../domain/types.js';

/** The Content-ID the confirmation mail's <img src="cid:..."> names. */
export const CHECK_IN_QR_CID = 'check-in-qr';

type Attachment = NonNullable<OutboxMail['attachments']>[number];

/** A PNG QR code whose text is exactly the check-in code (what the organizer's scanner submits). */
export async function checkInQrAttachment(code: string): Promise<Attachment> {
  // Imported here, not at the top: qrcode is CommonJS, so esbuild keeps it in every bundle that
  // imports this module unless the import sits in code it can drop (the functions that never
  // build a confirmation mail).
  const { default: QRCode } = await import('qrcode');
  // Margin 4 (the quiet zone the standard asks for) and 8 px modules: reads from a phone screen.
  const png = await QRCode.toBuffer(code, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 8 });
  return { filename: 'check-in-code.png', contentType: 'image/png', contentBase64: png.toString('base64'), contentId: CHECK_IN_QR_CID };
}
