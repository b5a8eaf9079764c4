// Registers the @vscode/webview-ui-toolkit web components the UI uses, and types them for JSX.
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeRadio,
  vsCodeRadioGroup,
  vsCodeTag,
  vsCodeTextArea,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import type { JSX } from 'preact';

export function registerToolkit(): void {
  provideVSCodeDesignSystem().register(
    vsCodeBadge(),
    vsCodeButton(),
    vsCodeCheckbox(),
    vsCodeDivider(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodeProgressRing(),
    vsCodeRadio(),
    vsCodeRadioGroup(),
    vsCodeTag(),
    vsCodeTextArea(),
    vsCodeTextField(),
  );
}

type Base = JSX.HTMLAttributes<HTMLElement> & { [attribute: `aria-${string}`]: string | boolean | undefined };

declare module 'preact' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'vscode-button': Base & { appearance?: 'primary' | 'secondary' | 'icon'; disabled?: boolean };
      'vscode-badge': Base;
      'vscode-checkbox': Base & { checked?: boolean; disabled?: boolean };
      'vscode-divider': Base;
      'vscode-dropdown': Base & { value?: string; disabled?: boolean; position?: 'above' | 'below' };
      'vscode-option': Base & { value?: string; selected?: boolean };
      'vscode-progress-ring': Base;
      'vscode-radio-group': Base & { value?: string; orientation?: 'horizontal' | 'vertical' };
      'vscode-radio': Base & { value?: string; checked?: boolean };
      'vscode-tag': Base;
      'vscode-text-area': Base & { value?: string; placeholder?: string; rows?: number; resize?: string; disabled?: boolean };
      'vscode-text-field': Base & { value?: string; placeholder?: string; type?: string; disabled?: boolean };
    }
  }
}
