import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA } from '@nestjs/common/constants.js';
import { RESOLVER_TYPE_METADATA } from '@nestjs/graphql';
import { EnforcementModule } from './enforcement.module.js';
import { PLAN_REQUIREMENT_KEY, type PlanRequirement } from './plan-requirement.types.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The modules whose endpoints customers pay for: every module that imports EnforcementModule
 * (that is how a module gets the plan guard), found by walking src/, so a new product module is
 * checked without anyone remembering to list it. Every GraphQL mutation and every REST write in
 * them must say what it costs: @RequiresPlanCapacity, @RequiresFeature or @NoPlanLimit.
 */
async function productModules(): Promise<string[]> {
  const found: string[] = [];
  for (const entry of readdirSync(SRC, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'enforcement') continue;
    for (const file of readdirSync(join(SRC, entry.name)).filter((f) => f.endsWith('.module.ts'))) {
      // Only modules that name it are loaded (loading every module would pull the CLI's CommonJS
      // dependencies); the metadata check below is what decides.
      if (!readFileSync(join(SRC, entry.name, file), 'utf8').includes('EnforcementModule')) continue;
      const exports = (await import(pathToFileURL(join(SRC, entry.name, file)).href)) as Record<string, unknown>;
      const importsEnforcement = Object.values(exports).some((value) => {
        if (typeof value !== 'function') return false;
        const imports = (Reflect.getMetadata(MODULE_METADATA.IMPORTS, value) ?? []) as unknown[];
        return imports.some((imported) => imported === EnforcementModule);
      });
      if (importsEnforcement) found.push(entry.name);
    }
  }
  return found;
}

const REST_WRITES = new Set([RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE]);

type Handler = { owner: string; method: string; kind: 'mutation' | 'rest write'; requirement?: PlanRequirement };

async function productHandlers(): Promise<Handler[]> {
  const handlers: Handler[] = [];
  for (const module of await productModules()) {
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
  it('discovers the product modules from their imports', async () => {
    expect(await productModules()).toEqual(expect.arrayContaining(['campaigns', 'creator-searches']));
  });

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
