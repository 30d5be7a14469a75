/*
 * The raw SQL of the campaigns module (the rest goes through TypeORM).
 */

/** Deletes one campaign of the business; a row { id } when it existed. $1 = campaign id, $2 = business. */
export const DELETE_CAMPAIGN = 'DELETE FROM campaigns WHERE id = $1 AND business_id = $2 RETURNING id';
