#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addCoffeeShopStacks } from '../lib/app/coffee-shop-app';

/**
 * The only place that reads context. Each architecture declares and parses
 * its own keys (lib/<architecture>/architecture.ts); this hands them a reader.
 *
 *   npx cdk synth                                   # sandbox
 *   npx cdk synth -c stage=production -c alarmEmail=ops@example.com \
 *     -c corsOrigins=https://menu.example.com
 */
const app = new App();
addCoffeeShopStacks(app, (key) => app.node.tryGetContext(key));
