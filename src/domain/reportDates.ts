// Date-times in the report's tables ("Nov 18, 14:05"), with the same format as format.ts dateTimeText
// but one Intl formatter per zone: building a formatter costs far more than using it, and a report
// writes hundreds of dates.
const formatters = new Map<string, Intl.DateTimeFormat>();

export function dateTime(date: Date, timeZone?: string): string {
  const key = timeZone ?? '';
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
      ...(timeZone ? { timeZone } : {}),
    });
    formatters.set(key, formatter);
  }
  return formatter.format(date);
}
