import type { SimContext } from '../core/context.js';
import { mergeMetadata, type Params } from '../core/params.js';
import type { ItemChange } from '../billing/changes.js';

/** `items[i][id|price|quantity|deleted|metadata]`, shared by subscriptions.update and invoices.createPreview. */
export function itemChanges(ctx: SimContext, params: Params): ItemChange[] | undefined {
  if (!params.has('items')) return undefined;
  return params.list('items').map((item, i) => {
    const priceId = item.str('price');
    const change: ItemChange = {};
    const id = item.str('id');
    if (id) change.id = id;
    if (priceId) change.price = ctx.price(priceId, `items[${i}][price]`);
    const quantity = item.int('quantity');
    if (quantity !== undefined) change.quantity = quantity;
    if (item.bool('deleted')) change.deleted = true;
    const metadata = item.metadata();
    if (metadata) change.metadata = mergeMetadata({}, metadata);
    return change;
  });
}
