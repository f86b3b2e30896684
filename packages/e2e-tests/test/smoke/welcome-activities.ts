/** Activities are plain functions; this one stands for any side effect a workflow step performs. */
export async function recordWelcome(organizationId: string): Promise<string> {
  return `receipt-${organizationId.slice(0, 8)}`;
}
