import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { RESOLVER_TYPE_METADATA } from '@nestjs/graphql';
import { PLAN_REQUIREMENT_KEY, type PlanRequirement } from './plan-requirement.types.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The modules whose endpoints customers pay for. Every GraphQL mutation and every REST write in
 * them must say what it costs: @RequiresPlanCapacity, @RequiresFeature or @NoPlanLimit. A new
 * product module belongs in this list.
 */
const PRODUCT_MODULES = ['campaigns', 'creator-searches'];

const REST_WRITES = new Set([RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE]);

type Handler = { owner: string; method: string; kind: 'mutation' | 'rest write'; requirement?: PlanRequirement };

async function productHandlers(): Promise<Handler[]> {
  const handlers: Handler[] = [];
  for (const module of PRODUCT_MODULES) {
    const files = readdirSync(join(SRC, module)).filter((f) => /\.(resolver|controller)\.ts$/.test(f));
    for (const file of files) {
      const exports = (await import(pathToFileURL(join(SRC, module, file)).href)) as Record<string, unknown>;
      for (const value of Object.values(exports)) {
        if (typeof value !== 'function') continue;
        const prototype = value.prototype as Record<string, unknown>;
        for (const method of Object.getOwnPropertyNames(prototype)) {
          const handler = prototype[method];
          if (method === 'constructor' || typeof handler !== 'function') continue;
          const isMutation = Reflect.getMetadata(RESOLVER_TYPE_METADATA, handler) === 'Mutation';
          const httpMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          const isRestWrite = httpMethod !== undefined && REST_WRITES.has(httpMethod);
          if (!isMutation && !isRestWrite) continue;
          handlers.push({
            owner: `${module}/${file} ${value.name}`,
            method,
            kind: isMutation ? 'mutation' : 'rest write',
            requirement: Reflect.getMetadata(PLAN_REQUIREMENT_KEY, handler) as PlanRequirement | undefined,
          });
        }
      }
    }
  }
  return handlers;
}

describe('product mutations declare their plan cost', () => {
  it('finds the product mutations (the walk itself works)', async () => {
    const names = (await productHandlers()).map((h) => h.method);
    expect(names).toEqual(
      expect.arrayContaining(['createCampaign', 'deleteCampaign', 'startCreatorSearch', 'completeCreatorSearch', 'create']),
    );
  });

  it('every mutation and REST write has @RequiresPlanCapacity, @RequiresFeature or @NoPlanLimit', async () => {
    const undeclared = (await productHandlers())
      .filter((h) => h.requirement === undefined)
      .map((h) => `${h.owner}.${h.method} (${h.kind})`);
    expect(undeclared).toEqual([]);
  });

  it('guards the paid ones with the metric they use', async () => {
    const byMethod = new Map((await productHandlers()).map((h) => [h.method, h.requirement]));
    expect(byMethod.get('createCampaign')).toEqual({ kind: 'capacity', metric: 'campaigns', amount: undefined, partial: false });
    expect(byMethod.get('startCreatorSearch')).toEqual({
      kind: 'capacity',
      metric: 'creators',
      amount: 'input.expectedCreators',
      partial: true,
    });
  });
});
