import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { participantName } from './names';
import { useRoomContext } from './room-context';
import { CHAT_TOPIC, decodeJson, encodeJson } from './topics';

const MAX_LENGTH = 2_000;

interface Message {
  readonly id: string;
  readonly from: string;
  readonly mine: boolean;
  readonly text: string;
  readonly at: number;
}

/**
 * Chat over LiveKit data messages, never through the API. In standard
 * meetings the messages are protected in transit by LiveKit's DTLS; in
 * end-to-end meetings the engine's `messageProtection`, when it offers one,
 * encrypts them so the SFU cannot read them either.
 */
export function ChatPanel() {
  const { t, i18n } = useTranslation();
  const { room, admitted, sendData, onData, messageProtection } = useRoomContext();
  // An end-to-end meeting's chat is sealed with its keys: nothing is sent or shown before the engine can seal and open.
  const sealedOnly = admitted.encryption.mode === 'e2ee';
  const closed = sealedOnly && !messageProtection;
  const [messages, setMessages] = useState<Message[]>([]);
  const [draft, setDraft] = useState('');
  const [failed, setFailed] = useState(false);
  const id = useId();
  const log = useRef<HTMLOListElement>(null);

  useEffect(
    () =>
      onData(CHAT_TOPIC, (payload, sender) => {
        void (async () => {
          if (!sender || closed) return;
          const opened = messageProtection ? await messageProtection.decrypt(payload, sender) : payload;
          const message = opened && (decodeJson(opened) as { id?: unknown; text?: unknown } | undefined);
          if (!message || typeof message.text !== 'string' || typeof message.id !== 'string') return;
          const participant = room.remoteParticipants.get(sender);
          const from = participant ? participantName(participant, t) : t('host.someone');
          setMessages((list) =>
            list.some((m) => m.id === message.id)
              ? list
              : [
                  ...list,
                  {
                    id: message.id as string,
                    from,
                    mine: false,
                    text: (message.text as string).slice(0, MAX_LENGTH),
                    at: Date.now(),
                  },
                ],
          );
        })();
      }),
    [onData, messageProtection, closed, room, t],
  );

  useEffect(() => {
    log.current?.lastElementChild?.scrollIntoView?.({ block: 'nearest' });
  }, [messages]);

  async function send(event: FormEvent) {
    event.preventDefault();
    const text = draft.trim().slice(0, MAX_LENGTH);
    if (!text || closed) return;
    setFailed(false);
    const message = { id: crypto.randomUUID(), text };
    try {
      const plain = encodeJson(message);
      await sendData(CHAT_TOPIC, messageProtection ? await messageProtection.encrypt(plain) : plain);
      setMessages((list) => [...list, { ...message, from: t('room.you'), mine: true, at: Date.now() }]);
      setDraft('');
    } catch {
      setFailed(true);
    }
  }

  const time = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' });
  return (
    <div className="chat">
      <ol ref={log} className="chat-log" role="log" aria-live="polite" aria-label={t('chat.log')}>
        {messages.length === 0 ? <li className="muted">{t('chat.empty')}</li> : null}
        {messages.map((m) => (
          <li key={m.id} className={m.mine ? 'mine' : undefined}>
            <span className="chat-from">{m.from}</span> <span className="muted">{time.format(m.at)}</span>
            <p>{m.text}</p>
          </li>
        ))}
      </ol>
      <form className="chat-form" onSubmit={(e) => void send(e)}>
        <label htmlFor={`${id}-message`}>{t('chat.message')}</label>
        <input
          id={`${id}-message`}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          maxLength={MAX_LENGTH}
          autoComplete="off"
        />
        <button type="submit" disabled={closed}>
          {t('chat.send')}
        </button>
      </form>
      {closed ? (
        <p role="status" className="muted small">
          {t('chat.waitingKey')}
        </p>
      ) : null}
      {failed ? (
        <p role="alert" className="field-error">
          {t('chat.failed')}
        </p>
      ) : null}
      <p className="muted small">{t('chat.privacy')}</p>
    </div>
  );
}
