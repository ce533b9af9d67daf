/**
 * The QR code in the RSVP confirmation (and promotion) mail: an inline PNG (Content-ID)
 * that decodes to the attendee's own check-in code, shown in the HTML by cid:, with the
 * code in text and the event's link; SES gets it as an inline attachment.
 */
import 'aws-sdk-client-mock-jest';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PNG } from 'pngjs';
import jsQRModule from 'jsqr';
import { createStore } from '../../../functions/core/data/store.js';
import { promoteWaitlisted, queueRsvpMail, rsvp, type EventsDeps } from '../../../functions/core/services/events.js';
import { deliver } from '../../../functions/core/services/outbox.js';
import { checkInQrAttachment, CHECK_IN_QR_CID } from '../../../functions/core/services/check-in-qr.js';
import { rsvpConfirmedMail } from '../../../functions/core/domain/emails.js';
import type { OutboxMail } from '../../../functions/core/domain/types.js';
import { FakeTable } from '../../support/fake-table.js';
import { mockedStore, TABLE, unitEventsDeps } from '../../support/unit-events.js';
import { makeAssociation } from '../../support/factories.js';
import { eventItem, makeEvent, waitlisted } from '../../support/event-factories.js';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const store = mockedStore();
const deps = unitEventsDeps(store);
const association = makeAssociation({ associationId: 'assocA', name: 'Engineers of Lyon' });
const now = new Date('2026-03-01T12:00:00.000Z');
const ada = { userId: 'user-ada', email: 'ada@example.test', name: 'Ada Lovelace' };

// jsqr is CommonJS: its default export is the module under NodeNext's types, the function at run time.
type Decoder = typeof jsQRModule.default;
const jsQR: Decoder = typeof jsQRModule === 'function' ? (jsQRModule as unknown as Decoder) : jsQRModule.default;

/** What a phone's scanner reads from the PNG. */
function decode(contentBase64: string): string | undefined {
  const png = PNG.sync.read(Buffer.from(contentBase64, 'base64'));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

let table: FakeTable;
const serve = (...items: Record<string, unknown>[]) =>
  (table = new FakeTable([{ pk: 'EVENT#evt1', sk: 'WAITTICKETS', entity: 'waitlist_tickets', waitTicket0: 0, waitTicket1: 0 }, ...items] as never).attach(ddb));
const outbox = () => table.all('OUTBOX#') as unknown as OutboxMail[];

beforeEach(() => {
  ddb.reset();
  ses.reset();
});

describe('the QR code of a check-in code', () => {
  it('is a PNG that decodes to exactly the code', async () => {
    const a = await checkInQrAttachment('K7M2QX9P');
    expect(a).toMatchObject({ contentType: 'image/png', contentId: CHECK_IN_QR_CID, filename: 'check-in-code.png' });
    expect(decode(a.contentBase64)).toBe('K7M2QX9P');
    // Small enough to sit in the outbox item beside the mail.
    expect(Buffer.from(a.contentBase64, 'base64').length).toBeLessThan(4000);
  });

  it('is shown in the mail HTML by cid:, with the code in text and the event link', () => {
    const m = rsvpConfirmedMail({ associationName: 'A & B', attendeeName: 'Ada', title: 'Door <night>', startsAt: '2026-03-10T18:00:00Z', endsAt: '2026-03-10T20:00:00Z', timezone: 'Europe/Paris', where: 'Here', eventUrl: 'https://app.example.test/e/evt1', guests: 0, checkInCode: 'K7M2QX9P', qrCid: CHECK_IN_QR_CID });
    expect(m.html).toContain(`<img src="cid:${CHECK_IN_QR_CID}"`);
    expect(m.html).toContain('alt="QR code of check-in code K7M2QX9P"');
    // No data: URI: Gmail and others block them.
    expect(m.html).not.toContain('data:');
    expect(m.text).toContain('Your check-in code: K7M2QX9P.');
    expect(m.text).toContain('https://app.example.test/e/evt1');
    expect(m.html).toContain('href="https://app.example.test/e/evt1"');
    expect(m.html).toContain('Door &lt;night&gt;');
  });
});

describe('the confirmation mail queued by an RSVP', () => {
  it('carries the QR of this attendee’s code, which SES sends as an inline part', async () => {
    serve(eventItem(makeEvent({ capacity: 10, goingCount: 0 })) as never);
    const res = await rsvp(deps, 'evt1', ada, undefined, { status: 'going' }, now);
    // The stream consumer builds the mail the RSVP asked for.
    table.put({ pk: `ASSOC#${association.associationId}`, sk: 'ASSOC', entity: 'association', ...association } as never);
    await queueRsvpMail(deps, table.get('EVENT#evt1', `RSVP#${ada.userId}`) as never, now);
    const [mail] = outbox();
    expect(mail).toMatchObject({ kind: 'rsvp_confirmed', to: ada.email });
    const qr = mail!.attachments!.find((a) => a.contentId === CHECK_IN_QR_CID)!;
    expect(decode(qr.contentBase64)).toBe(res.checkInCode);
    expect(mail!.html).toContain(`cid:${CHECK_IN_QR_CID}`);
    expect(mail!.text).toContain(res.checkInCode!);
    expect(mail!.text).toContain('https://app.example.test/e/evt1');

    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    await expect(deliver(store, deps.mailer, mail!.mailId, now)).resolves.toBe('sent');
    const sent = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    const parts = sent.Content!.Simple!.Attachments!;
    expect(parts.map((p) => [p.FileName, p.ContentDisposition, p.ContentId])).toEqual([
      ['event.ics', undefined, undefined],
      ['check-in-code.png', 'INLINE', CHECK_IN_QR_CID],
    ]);
    expect(decode(Buffer.from(parts[1]!.RawContent!).toString('base64'))).toBe(res.checkInCode);
  });

  it('goes with the promotion mail too, with the promoted person’s code', async () => {
    const head = waitlisted('user-w1', '01JAAAAAAAAAAAAAAAAAAAAAA1', { version: 3, checkInCode: 'W1CODE23' });
    serve(eventItem(makeEvent({ capacity: 2, goingCount: 1, waitlistCount: 1 })) as never, ...(head.items as never[]));
    await expect(promoteWaitlisted(deps, 'evt1', now)).resolves.toBe(1);
    // The promotion asks for its mail on the RSVP; the stream consumer builds it.
    expect(outbox()).toEqual([]);
    table.put({ pk: `ASSOC#${association.associationId}`, sk: 'ASSOC', entity: 'association', ...association } as never);
    await queueRsvpMail(deps, table.get('EVENT#evt1', 'RSVP#user-w1') as never, now);
    const [mail] = outbox();
    expect(mail).toMatchObject({ kind: 'rsvp_promoted', mailId: 'promoted.evt1.user-w1.3', to: 'user-w1@example.test' });
    expect(decode(mail!.attachments!.find((a) => a.contentId === CHECK_IN_QR_CID)!.contentBase64)).toBe('W1CODE23');
    expect(mail!.html).toContain(`cid:${CHECK_IN_QR_CID}`);
  });
});
