// AI tailoring of a new project: when the wizard got a description, it is remembered (in global
// state, which every window shares) until the project is opened as the first workspace folder;
// that window's extension then opens the chat and sends it as the first message. The system
// prompt knows the template's layout because the sidecar reads the project's marker
// (`.prototyper/project.json`). The agent then edits with the usual permissions.
import { realpathSync } from 'node:fs';
import type { TemplateInfo } from '../protocol/generated';

export interface PendingTailoring {
  /** The project's folder, as created. */
  path: string;
  templateName: string;
  description: string;
  createdAt: number;
}

/** The part of `vscode.Memento` this needs (so it is unit-tested without VS Code). */
export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

const KEY = 'prototyper.pendingTailoring';
/** A project opened later than this after its creation does not start a chat by surprise. */
const MAX_AGE_MS = 60 * 60 * 1000;

function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  return real(a) === real(b);
}

/** The first message of a tailoring chat. */
export function tailoringMessage(templateName: string, description: string): string {
  return `This project was just created from the ${templateName} template. Tailor it to this description, then check your work:\n\n${description}`;
}

export class Tailoring {
  constructor(
    private readonly state: StateStore,
    private readonly startChat: (text: string) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  private fresh(): PendingTailoring[] {
    const all = this.state.get<PendingTailoring[]>(KEY) ?? [];
    return all.filter((entry) => typeof entry?.path === 'string' && this.now() - entry.createdAt < MAX_AGE_MS);
  }

  /** Remembers `description` for the project at `projectPath` (persisted before this resolves). */
  async remember(projectPath: string, template: Pick<TemplateInfo, 'name'>, description: string): Promise<void> {
    const others = this.fresh().filter((entry) => !samePath(entry.path, projectPath));
    await this.state.update(KEY, [...others, { path: projectPath, templateName: template.name, description, createdAt: this.now() }]);
  }

  /**
   * When `firstFolder` is a project waiting for its tailoring chat, starts the chat (once: the
   * entry is removed first, so a reload does not send it again). True when a chat was started.
   */
  async resume(firstFolder: string | undefined): Promise<boolean> {
    if (!firstFolder) return false;
    const pending = this.fresh();
    const entry = pending.find((candidate) => samePath(candidate.path, firstFolder));
    if (pending.length !== (this.state.get<PendingTailoring[]>(KEY) ?? []).length || entry) {
      await this.state.update(KEY, pending.filter((candidate) => candidate !== entry));
    }
    if (!entry) return false;
    await this.startChat(tailoringMessage(entry.templateName, entry.description));
    return true;
  }
}
