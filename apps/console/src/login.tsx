/** The sign-in page: e-mail and password for a staff token. */
import { useState } from 'preact/hooks';
import { Api, ApiError } from './api.ts';
import { strings } from './i18n.ts';
import { errorText } from './i18n-errors.ts';

export function LoginPage({ onLogin }: { onLogin: (token: string) => void }) {
  const t = strings(navigator.language);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const login = await Api.login(String(form.get('email')), String(form.get('password')));
      onLogin(login.token);
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'INVALID_CREDENTIALS' ? t.badLogin : errorText(e, t));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Frontdesk</h1>
        <label>
          {t.email}
          <input name="email" type="email" autocomplete="username" required autofocus />
        </label>
        <label>
          {t.password}
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t.signIn}
        </button>
      </form>
    </main>
  );
}
