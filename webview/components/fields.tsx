// Toolkit text inputs with a real accessible name: the toolkit overwrites `aria-label` with
// "Text field"/"Text area" when the element connects, so the label is set again after mounting.
import type { JSX, RefObject } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

type InputElement = HTMLElement & { value: string; control?: HTMLInputElement | HTMLTextAreaElement };

type FieldProps<K extends 'vscode-text-field' | 'vscode-text-area'> = Omit<JSX.IntrinsicElements[K], 'ref' | 'aria-label'> & {
  label: string;
  inputRef?: RefObject<InputElement>;
};

function useLabel(inputRef: RefObject<InputElement> | undefined, label: string): RefObject<InputElement> {
  const own = useRef<InputElement>(null);
  const ref = inputRef ?? own;
  useLayoutEffect(() => {
    ref.current?.setAttribute('aria-label', label);
  });
  return ref;
}

export function TextField({ label, inputRef, ...props }: FieldProps<'vscode-text-field'>) {
  const ref = useLabel(inputRef, label);
  return <vscode-text-field ref={ref} {...props} />;
}

export function TextArea({ label, inputRef, ...props }: FieldProps<'vscode-text-area'>) {
  const ref = useLabel(inputRef, label);
  return <vscode-text-area ref={ref} {...props} />;
}

export type { InputElement };
