// Entry point of the chat webview: registers the toolkit, restores state after a reload, wires
// host events, and mounts the UI.
import { render } from 'preact';
import { chat, initChat, newChat, runWorkflow } from './chat/controller';
import { startChatWith } from './chat/startChat';
import { App } from './components/App';
import { registerToolkit } from './components/toolkit';
import { connection, onHostEvent } from './ipc';
import { warmRenderers } from './markdown/idle';
import { initSession, onSessionEvent, session } from './session/session';
import './styles.css';
import './chrome.css';

registerToolkit();
const ipc = connection();
onHostEvent((event) => {
  if (event.kind === 'newChat') newChat();
  else if (event.kind === 'runWorkflow') runWorkflow(event.workflowId, event.input);
  else if (event.kind === 'startChat') startChatWith(event.text);
  else onSessionEvent(event);
});
// Draft, attachments and header choices survive a reload; written lazily.
session.subscribe(() => ipc.persistSoon());
chat.subscribe(() => ipc.persistSoon());
void initChat();
void initSession();
render(<App />, document.getElementById('root') ?? document.body);
warmRenderers();
