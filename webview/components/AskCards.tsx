// The agent's questions: AskUser (text, choice with a free-text fallback, confirm Yes/No) and
// AskUserForm (text, choice, multiselect, confirm; Submit stays disabled until required fields are filled).
import { useEffect, useRef, useState } from 'preact/hooks';
import { answerAsk, answerForm } from '../chat/controller';
import type { FormField, PromptCard } from '../chat/types';
import { TextArea, TextField } from './fields';
import { focusAfterAnswer, isFirstPending } from './keys';

type Ask = Extract<PromptCard, { kind: 'ask' }>;
type Form = Extract<PromptCard, { kind: 'form' }>;
type Answers = Record<string, string | string[]>;

const valueOf = (e: Event) => ((e.currentTarget as HTMLInputElement).value ?? '') as string;

function useFocusWhenPending(pending: boolean) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (pending && isFirstPending(ref.current)) ref.current?.focus();
  }, [pending]);
  return ref;
}

function Outcome({ prompt }: { prompt: PromptCard }) {
  if (prompt.status === 'expired') return <div class="prompt-outcome">No longer waiting for an answer.</div>;
  const answer = prompt.answer;
  const text = typeof answer === 'string' ? answer : Object.entries(answer ?? {}).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`).join('; ');
  return <div class="prompt-outcome">Answered: {text}</div>;
}

export function AskUserCard({ prompt }: { prompt: Ask }) {
  const pending = prompt.status === 'pending';
  const ref = useFocusWhenPending(pending);
  const [text, setText] = useState('');
  const submit = (answer: string) => {
    if (!answer.trim()) return;
    answerAsk(prompt.id, answer.trim());
    focusAfterAnswer();
  };
  const titleId = `ask-title-${prompt.id}`;
  return (
    <div ref={ref} class={`prompt-card ask-card ${prompt.status}`} tabIndex={-1} role="group" aria-labelledby={titleId} data-prompt-id={prompt.id}>
      <div class="prompt-title" id={titleId}>
        <span class="codicon codicon-question" aria-hidden="true" /> {prompt.question}
      </div>
      {!pending && <Outcome prompt={prompt} />}
      {pending && prompt.questionType === 'confirm' && (
        <div class="prompt-actions">
          <vscode-button appearance="primary" onClick={() => submit('Yes')}>Yes</vscode-button>
          <vscode-button appearance="secondary" onClick={() => submit('No')}>No</vscode-button>
        </div>
      )}
      {pending && prompt.questionType === 'choice' && prompt.choices.length > 0 && (
        <div class="prompt-choices">
          {prompt.choices.map((choice) => (
            <vscode-button key={choice} appearance="secondary" onClick={() => submit(choice)}>
              {choice}
            </vscode-button>
          ))}
        </div>
      )}
      {pending && prompt.questionType !== 'confirm' && (
        <div class="prompt-free">
          <TextArea
            label={`Answer to: ${prompt.question}`}
            rows={prompt.questionType === 'choice' ? 1 : 3}
            resize="vertical"
            placeholder={prompt.questionType === 'choice' ? 'Or type another answer' : 'Your answer (Ctrl+Enter to send)'}
            value={text}
            onInput={(e) => setText(valueOf(e))}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || (prompt.questionType === 'choice' && !e.shiftKey))) {
                e.preventDefault();
                submit(text);
              }
            }}
          />
          <vscode-button appearance={prompt.questionType === 'choice' ? 'secondary' : 'primary'} disabled={!text.trim()} onClick={() => submit(text)}>
            Send
          </vscode-button>
        </div>
      )}
    </div>
  );
}

function initialAnswers(fields: FormField[]): Answers {
  return Object.fromEntries(fields.map((f) => [f.id, f.fieldType === 'multiselect' ? [] : '']));
}

/** Whether every required field (all unless `required === false`) has an answer. */
export function formComplete(fields: FormField[], answers: Answers): boolean {
  return fields.every((f) => {
    if (f.required === false) return true;
    const v = answers[f.id];
    return Array.isArray(v) ? v.length > 0 : typeof v === 'string' && v.trim().length > 0;
  });
}

function FieldInput({ field, value, onChange, onEnter }: { field: FormField; value: string | string[]; onChange: (v: string | string[]) => void; onEnter: () => void }) {
  const labelId = `field-${field.id}`;
  const choices = field.fieldType === 'confirm' ? ['Yes', 'No'] : field.choices ?? [];
  switch (field.fieldType) {
    case 'choice':
    case 'confirm':
      return (
        // The group must not get an empty value: FAST then leaves no radio reachable with Tab.
        <vscode-radio-group aria-labelledby={labelId} value={(value as string) || undefined} onChange={(e) => onChange(valueOf(e))}>
          {choices.map((c) => (
            <vscode-radio key={c} value={c}>
              {c}
            </vscode-radio>
          ))}
        </vscode-radio-group>
      );
    case 'multiselect': {
      const selected = value as string[];
      return (
        <div class="form-multiselect" role="group" aria-labelledby={labelId}>
          {choices.map((c) => (
            <vscode-checkbox
              key={c}
              checked={selected.includes(c)}
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                onChange(on ? [...selected.filter((s) => s !== c), c] : selected.filter((s) => s !== c));
              }}
            >
              {c}
            </vscode-checkbox>
          ))}
        </div>
      );
    }
    default:
      return (
        <TextField
          label={field.label}
          placeholder={field.placeholder ?? ''}
          value={value as string}
          onInput={(e) => onChange(valueOf(e))}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              onEnter();
            }
          }}
        />
      );
  }
}

export function AskFormCard({ prompt }: { prompt: Form }) {
  const pending = prompt.status === 'pending';
  const ref = useFocusWhenPending(pending);
  const [answers, setAnswers] = useState<Answers>(() => initialAnswers(prompt.fields));
  const complete = formComplete(prompt.fields, answers);
  const submit = () => {
    if (!complete) return;
    answerForm(prompt.id, answers);
    focusAfterAnswer();
  };
  const titleId = `form-title-${prompt.id}`;
  return (
    <div ref={ref} class={`prompt-card form-card ${prompt.status}`} tabIndex={-1} role="group" aria-labelledby={titleId} data-prompt-id={prompt.id}>
      <div class="prompt-title" id={titleId}>
        <span class="codicon codicon-checklist" aria-hidden="true" /> {prompt.title}
      </div>
      {!pending && <Outcome prompt={prompt} />}
      {pending && (
        <form
          class="form-fields"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          {prompt.fields.map((field) => (
            <div class="form-field" key={field.id} data-field-id={field.id}>
              <label id={`field-${field.id}`} class="form-label">
                {field.label}
                {field.required !== false && <span class="required" aria-label="required"> *</span>}
              </label>
              <FieldInput field={field} value={answers[field.id]} onChange={(v) => setAnswers((a) => ({ ...a, [field.id]: v }))} onEnter={submit} />
            </div>
          ))}
          <div class="prompt-actions">
            <vscode-button appearance="primary" disabled={!complete} onClick={submit}>
              Submit
            </vscode-button>
            {!complete && <span class="form-hint">Fill in the fields marked *</span>}
          </div>
        </form>
      )}
    </div>
  );
}
