#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ServerlessApiStack } from '../lib/serverless-api/serverless-api-stack';
import { parseAppConfig } from '../lib/shared/stage-config';
import { tagArchitecture } from '../lib/shared/tags';
import { addValidationPlugins } from '../lib/shared/validation';

/**
 * The only place that reads context. Everything below receives a validated,
 * typed configuration as props.
 *
 *   npx cdk synth                                   # sandbox
 *   npx cdk synth -c stage=production -c alarmEmail=ops@example.com
 */
const app = new App();
const config = parseAppConfig({
  stage: app.node.tryGetContext('stage'),
  alarmEmail: app.node.tryGetContext('alarmEmail'),
  corsOrigins: app.node.tryGetContext('corsOrigins'),
});
const { stage } = config;

// Stacks are environment-agnostic: no account or region is needed to synth.
const menuApi = new ServerlessApiStack(app, `CoffeeShop-MenuApi-${stage.name}`, {
  description: `Coffee shop menu API: API Gateway + Lambda + DynamoDB (${stage.name})`,
  terminationProtection: stage.terminationProtection,
  stage,
  corsOrigins: config.corsOrigins,
});
tagArchitecture(menuApi, 'serverless-api', stage);

addValidationPlugins(app);
