/** The catalog metric campaigns count against (a COUNT metric: how many exist now). */
export const CAMPAIGNS_METRIC = 'campaigns';
/** The catalog feature that unlocks the CSV export. */
export const CSV_EXPORT_FEATURE = 'csvExport';
