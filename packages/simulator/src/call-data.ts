/**
 * Fixed vocabularies the generator draws from: agents, utterances and placeholder values.
 * Texts deliberately carry commas, quotes, newlines, accents, CJK and emoji, because those are
 * what break CSV writers and naive parsers downstream.
 */

export interface SimAgent {
  /** Internal agent id: the real call log carries no agent id, only `bot_name` (docs/api-notes.md). */
  id: number;
  name: string;
  /** Keys of this agent's `extracted_variables`, in order. */
  variables: readonly string[];
  greeting: string;
}

export const AGENTS: readonly SimAgent[] = [
  {
    id: 6340,
    name: 'Customer Support Agent',
    variables: ['industry', 'use_case', 'user_name', 'main_purpose', 'phone_number', 'preferred_language'],
    greeting: 'Hello, I am Kevin from OmniDimension support. How may I help you?',
  },
  {
    id: 6512,
    name: 'Clínica Sol — Citas',
    variables: ['patient_name', 'appointment_date', 'doctor', 'insurance', 'age'],
    greeting: 'Hola, soy Lucía de la Clínica Sol. ¿En qué puedo ayudarle hoy?',
  },
  {
    id: 7002,
    name: '予約アシスタント',
    variables: ['customer_name', 'party_size', 'reservation_time', 'notes'],
    greeting: 'お電話ありがとうございます。ご予約のご用件でしょうか？',
  },
  {
    id: 7105,
    name: 'Sales Qualifier "Pro"',
    variables: ['company', 'budget_usd', 'seats', 'decision_maker', 'timeline', 'email'],
    greeting: "Hi! I'm Max, calling about your demo request. Do you have two minutes?",
  },
  {
    id: 7210,
    name: 'Collections, EU',
    variables: ['debtor_name', 'amount_due_eur', 'promise_to_pay_date', 'dispute_reason'],
    greeting: 'Good afternoon, this is Anna from Nordbank collections, regarding invoice 2024-117.',
  },
];

export const USER_QUERIES: readonly string[] = [
  'i awnt ti book a meetig',
  'Hi, I need to reschedule my appointment',
  'Hola, ¿puedo cambiar mi cita al "martes"?',
  '予約を変更したいです。',
  'Can you call me back at 5pm, please?',
  'No, that\'s wrong — it\'s "Zoë", with an umlaut',
  'Ok 👍',
  'y',
  'My address is:\n12 Rue de la Paix\n75002 Paris',
  'Price, delivery, and returns?',
  'Ich möchte meine Bestellung stornieren',
  'what is 50% of "the deal"?',
  '还有别的时间吗？',
  'Stop calling me!!!',
  'Quiero hablar con una persona, por favor',
  'aok demo@example.com',
  'Is this a robot? 🤖',
  'We have about 40 seats, maybe 45; budget ~$12,000',
  'Sorry, the line is bad… can you repeat?',
  'Tabs\tand "quotes" and, commas',
];

export const BOT_RESPONSES: readonly string[] = [
  'Sure, I can help with that. Could you please provide me with your name and email address?',
  "Let's confirm your email address: demo@example.com Is that correct?",
  'Great, you can book a meeting using the link below.',
  'Claro, le he cambiado la cita al martes a las 10:30. ¿Algo más?',
  'かしこまりました。何名様でご来店されますか？',
  'I understand. I\'ve noted "do not call" on your account, and you won\'t hear from us again.',
  'Of course — one moment, please.',
  'The total is €1,249.50, due by the 15th.\nWould you like to set up a payment plan?',
  'Entschuldigung, das habe ich nicht verstanden. Können Sie das wiederholen?',
  'Thanks! 🙏 I will send a confirmation to your phone.',
  'We offer three plans: "Starter", "Growth" and "Enterprise", billed monthly or yearly.',
  '好的，我们还有周三下午三点的时间。',
  "I'm an AI assistant, yes. I can transfer you to a colleague if you prefer.",
];

/** A long bot paragraph, used to build the occasional tens-of-kB transcript. */
export const LONG_RESPONSE =
  'Let me walk you through the whole policy, step by step, so nothing is missed: first, "returns" are accepted ' +
  'within 30 days; second, refunds go back to the original card (Visa, Mastercard, or Amex) within 5–7 ' +
  'business days; third, items marked "final sale" can’t be returned, but they can be exchanged once. ' +
  'Ça vous convient ? 了解しました。 ';

export const SUMMARIES: readonly string[] = [
  'The user requested to book a meeting, providing their email address. The agent confirmed the email and provided a link for booking the meeting successfully.',
  'Caller asked to move an appointment; agent offered Tuesday 10:30, which was accepted.',
  'The customer was unhappy, said "stop calling", and the agent flagged the number as do-not-call.',
  'Prospect shared budget (~$12,000) and seat count, but no decision maker was identified.',
  'Short call: the line dropped after the greeting.\nNo information was collected.',
  'Reservation for 4 people, 19:00, window seat requested — 窓側の席.',
];

export const SENTIMENTS = ['Positive', 'Neutral', 'Negative'] as const;

export const FUNCTION_NAMES = [
  'offer_calendly_meeting',
  'lookup_customer',
  'transfer_call',
  'create_ticket',
  'check_availability',
] as const;

export const WEBHOOK_HOSTS = [
  'https://webhook.site/94b3db04-2a3f-480f-86f5-6bcc84b4cc5b',
  'https://hooks.example.com/omnidim/calls?tenant=acme&v=2',
  'https://n8n.example.org/webhook/ca11-10g5',
] as const;

export const WEBHOOK_RESPONSE_BODIES: readonly (string | false)[] = [
  'This URL has no default content configured. <a href="https://webhook.site/#!/edit/94b3db04-2a3f-480f-86f5-6bcc84b4cc5b">Change response in Webhook.site</a>.',
  '{"ok":true}',
  '<html><body><h1>502 Bad Gateway</h1></body></html>',
  '',
  false,
];

export const USER_NAMES: readonly (string | false)[] = [
  'Demo User',
  'Zoë Müller',
  'José Álvarez',
  '山田 太郎',
  'Łukasz Wróbel',
  "Siobhán O'Brien",
  '',
  false,
];

export const BRANCHES: readonly (string | false)[] = ['', '', false, 'Madrid — Centro', 'HQ, "Main" office'];
