/** The API version stripe@23.1.0 pins; events and endpoints report it. */
export const API_VERSION = '2026-10-28.endive';
export const DEFAULT_PORT = 12111;
export const DEFAULT_WEBHOOK_SECRET = 'whsec_simulator';
