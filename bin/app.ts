#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addCoffeeShopStacks } from '../lib/app/coffee-shop-app';
import { parseAppConfig } from '../lib/shared/stage-config';

/**
 * The only place that reads context. Everything below receives a validated,
 * typed configuration as props.
 *
 *   npx cdk synth                                   # sandbox
 *   npx cdk synth -c stage=production -c alarmEmail=ops@example.com \
 *     -c corsOrigins=https://menu.example.com
 */
const app = new App();
const config = parseAppConfig({
  stage: app.node.tryGetContext('stage'),
  alarmEmail: app.node.tryGetContext('alarmEmail'),
  corsOrigins: app.node.tryGetContext('corsOrigins'),
  natGateways: app.node.tryGetContext('natGateways'),
  amiId: app.node.tryGetContext('amiId'),
  amiParameter: app.node.tryGetContext('amiParameter'),
  sshKeyName: app.node.tryGetContext('sshKeyName'),
  sshCidr: app.node.tryGetContext('sshCidr'),
  databaseReadReplica: app.node.tryGetContext('databaseReadReplica'),
  databaseNetwork: app.node.tryGetContext('databaseNetwork'),
});
addCoffeeShopStacks(app, config);
