/**
 * Variables in canned responses (docs/console.md): `{{customer.name}}`, `{{customer.email}}`,
 * `{{agent.name}}`, `{{shop.name}}`, filled in when the agent inserts the response. A variable
 * without a value gets its fallback; one the console does not know stays as written, and is reported,
 * so the agent sees it before sending.
 */
export interface CannedContext {
  readonly customerName: string | null;
  readonly customerEmail: string | null;
  readonly agentName: string;
  readonly shopName: string;
  /** For a customer without a name ("Hi there"). */
  readonly customerFallback: string;
}

const VARIABLE = /\{\{\s*([a-z_.]+)\s*\}\}/gi;

export function expandCanned(text: string, context: CannedContext): { readonly text: string; readonly unknown: readonly string[] } {
  const unknown: string[] = [];
  const values: Record<string, string> = {
    'customer.name': context.customerName?.trim() || context.customerFallback,
    'customer.email': context.customerEmail ?? '',
    'agent.name': context.agentName,
    'shop.name': context.shopName,
  };
  const expanded = text.replace(VARIABLE, (whole, name: string) => {
    const value = values[name.toLowerCase()];
    if (value !== undefined) return value;
    unknown.push(whole);
    return whole;
  });
  return { text: expanded, unknown };
}
