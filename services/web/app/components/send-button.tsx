import type { ReactNode } from "react";

/**
 * The primary button of an action that sends one request: disabled while the request is on its way and
 * saying so, so a second click sends nothing twice.
 */
export function SendButton({
  action,
  busy,
  disabled = false,
  children,
}: {
  action: { isPending: boolean; mutate: () => void };
  /** What the button says while the request is on its way, e.g. "Submitting…". */
  busy: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className="primary"
      disabled={action.isPending || disabled}
      onClick={() => action.mutate()}
    >
      {action.isPending ? busy : children}
    </button>
  );
}
