// A small W3C WebDriver client over fetch: enough to drive the real window through tauri-driver
// (which hands the session to Debian's WebKitWebDriver). Controls are found as a person finds
// them, by role and accessible name, with the same rules the Playwright journeys use: the
// `aria-label`, else `aria-labelledby`, else the visible text.

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export class WebDriverError extends Error {}

async function call(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let answer;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new WebDriverError(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  }
  if (!response.ok || answer?.value?.error) {
    const { error, message } = answer?.value ?? {};
    throw new WebDriverError(`${method} ${path}: ${error ?? response.status}: ${message ?? text}`);
  }
  return answer.value;
}

/** Waits until the driver at `base` answers `GET /status` ready, at most `ms`. */
export async function waitForDriver(base, ms = 30000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      const status = await call(base, 'GET', '/status');
      if (status?.ready !== false) return;
      last = status?.message;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new WebDriverError(`the driver at ${base} never became ready: ${last}`);
}

// Runs in the window: every element of `role` whose accessible name matches, visible ones only.
const FIND_BY_ROLE = `
const [role, pattern, flags, exact] = arguments;
const implicit = {
  button: 'button, [role=button], input[type=button], input[type=submit]',
  link: 'a[href], [role=link]',
  heading: 'h1, h2, h3, h4, h5, h6, [role=heading]',
  table: 'table, [role=table], [role=grid]',
  dialog: 'dialog, [role=dialog], [role=alertdialog]',
  region: 'section[aria-label], section[aria-labelledby], [role=region]',
  group: '[role=group], fieldset',
  navigation: 'nav, [role=navigation]',
  status: '[role=status], output',
  progressbar: 'progress, [role=progressbar]',
  checkbox: 'input[type=checkbox], [role=checkbox]',
  row: 'tr, [role=row]',
};
const selector = implicit[role] ?? '[role=' + role + ']';
const name = (el) => {
  const label = el.getAttribute('aria-label');
  if (label) return label.trim();
  const by = el.getAttribute('aria-labelledby');
  if (by) return by.split(/\\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
  return (el.innerText ?? el.textContent ?? '').replace(/\\s+/g, ' ').trim();
};
const wanted = (text) => exact ? text === pattern : new RegExp(pattern, flags).test(text);
return [...document.querySelectorAll(selector)].filter((el) => {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && wanted(name(el));
});
`;

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async start(base, application) {
    const value = await call(base, 'POST', '/session', {
      capabilities: { alwaysMatch: { 'tauri:options': { application } } },
    });
    return new Session(base, value.sessionId);
  }

  send(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async end() {
    await this.send('DELETE', '');
  }

  execute(script, args = []) {
    return this.send('POST', '/execute/sync', { script, args });
  }

  /** Elements of `role` named `name` (a string: exact; a RegExp: a match), as WebDriver refs. */
  async byRole(role, name) {
    const [pattern, flags, exact] =
      name instanceof RegExp ? [name.source, name.flags, false] : [name, '', true];
    return this.execute(FIND_BY_ROLE, [role, pattern, flags, exact]);
  }

  /** Waits for the first element of `role` named `name`, at most `ms`. */
  async waitForRole(role, name, ms = 20000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = await this.byRole(role, name);
      if (found.length) return found[0];
      if (Date.now() > deadline) throw new WebDriverError(`no ${role} named ${name} in ${ms} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Waits until the page's text matches `pattern`, at most `ms`; returns the matching line. */
  async waitForText(pattern, ms = 20000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const text = await this.execute('return document.body.innerText;');
      const line = text.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) return line;
      if (Date.now() > deadline) throw new WebDriverError(`no text like ${pattern} in ${ms} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async click(element) {
    if (!element?.[ELEMENT]) throw new WebDriverError(`not an element: ${JSON.stringify(element)}`);
    // Scrolled into view first: WebKitWebDriver refuses a click outside the viewport.
    await this.execute('arguments[0].scrollIntoView({block: "center"});', [element]);
    await this.send('POST', `/element/${element[ELEMENT]}/click`, {});
  }

  /** The element's text as the page has it (WebKitWebDriver's own text call can be empty for
   * text in a virtualized row). */
  async textOf(element) {
    return this.execute('return arguments[0].textContent.replace(/\\s+/g, " ").trim();', [element]);
  }

  /** The window's content as PNG bytes. */
  async screenshot() {
    return Buffer.from(await this.send('GET', '/screenshot'), 'base64');
  }

  async setWindowSize(width, height) {
    return this.send('POST', '/window/rect', { width, height });
  }

  async windowRect() {
    return this.send('GET', '/window/rect');
  }
}
