/** The catalog metric creator searches count against (a PERIOD metric: creators found per billing period). */
export const CREATORS_METRIC = 'creators';
