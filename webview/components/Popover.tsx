// Popovers of the composer toolbar (model, mode, options): a panel above the input that closes on
// Escape (focus back on its button), on a click outside, and when focus leaves it; and a keyboard
// listbox (arrows, Home/End, type-ahead, Enter) for the choices inside.
import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

interface PopoverProps {
  label: string;
  /** The button that opened it: focus returns there on Escape, and clicks on it do not count as "outside". */
  trigger: RefObject<HTMLElement>;
  onClose(): void;
  class?: string;
  children: ComponentChildren;
}

export function Popover({ label, trigger, onClose, class: extra, children }: PopoverProps) {
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const outside = (e: Event) => {
      const target = e.target as Node;
      if (!panel.current?.contains(target) && !trigger.current?.contains(target)) onClose();
    };
    document.addEventListener('pointerdown', outside, true);
    return () => document.removeEventListener('pointerdown', outside, true);
  }, [onClose, trigger]);
  return (
    <div
      ref={panel}
      class={`popover${extra ? ` ${extra}` : ''}`}
      role="dialog"
      aria-label={label}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        e.stopPropagation();
        onClose();
        trigger.current?.focus();
      }}
      onFocusOut={(e) => {
        const next = e.relatedTarget as Node | null;
        // Focus moving to nothing (a click on padding) keeps it open; moving elsewhere closes it.
        if (next && !panel.current?.contains(next) && !trigger.current?.contains(next)) onClose();
      }}
    >
      {children}
    </div>
  );
}

export interface ListOption {
  value: string;
  /** The text type-ahead matches. */
  text: string;
  content: ComponentChildren;
  disabled?: boolean;
}

interface ListBoxProps {
  label: string;
  options: ListOption[];
  selected?: string;
  onPick(value: string): void;
  autoFocus?: boolean;
  id: string;
}

/** A single-choice listbox driven by the keyboard through aria-activedescendant. */
export function ListBox({ label, options, selected, onPick, autoFocus, id }: ListBoxProps) {
  const list = useRef<HTMLUListElement>(null);
  const initial = Math.max(0, options.findIndex((o) => o.value === selected));
  const [active, setActive] = useState(initial);
  const typed = useRef({ text: '', at: 0 });
  useEffect(() => {
    if (autoFocus) list.current?.focus();
  }, [autoFocus]);
  useEffect(() => {
    list.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);
  const current = Math.min(active, options.length - 1);
  const move = (to: number) => setActive(Math.max(0, Math.min(options.length - 1, to)));
  const pick = (index: number) => {
    const option = options[index];
    if (option && !option.disabled) onPick(option.value);
  };
  return (
    <ul
      ref={list}
      id={id}
      class="listbox"
      role="listbox"
      tabIndex={0}
      aria-label={label}
      aria-activedescendant={options.length > 0 ? `${id}-${current}` : undefined}
      onKeyDown={(e) => {
        if (e.key === 'ArrowDown') move(current + 1);
        else if (e.key === 'ArrowUp') move(current - 1);
        else if (e.key === 'Home') move(0);
        else if (e.key === 'End') move(options.length - 1);
        else if (e.key === 'Enter' || e.key === ' ') pick(current);
        else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
          const now = Date.now();
          typed.current = { text: (now - typed.current.at < 800 ? typed.current.text : '') + e.key.toLowerCase(), at: now };
          const found = options.findIndex((o) => o.text.toLowerCase().startsWith(typed.current.text));
          if (found >= 0) move(found);
        } else return;
        e.preventDefault();
      }}
    >
      {options.map((option, i) => (
        <li
          key={option.value}
          id={`${id}-${i}`}
          data-index={i}
          data-value={option.value}
          role="option"
          aria-selected={option.value === selected}
          aria-disabled={option.disabled || undefined}
          class={`${i === current ? 'active' : ''}${option.value === selected ? ' selected' : ''}`}
          onMouseMove={() => i !== current && setActive(i)}
          onClick={() => pick(i)}
        >
          {option.content}
        </li>
      ))}
    </ul>
  );
}
