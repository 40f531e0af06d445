import * as path from 'node:path';
import { AssetHashType, Aws, type CfnElement, DockerImage, Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildMenuSite } from '../../web/clickstream/build-site';
import type { SiteConfig } from '../../web/clickstream/menu-page';
import { controlTower } from '../shared/control-tower';
import { acknowledgeBucketCompliance, PrivateBucket } from '../shared/private-bucket';
import type { StageConfig } from '../shared/stage-config';
import { StageLogGroup } from '../shared/stage-log-group';

const WEB_DIR = path.resolve(__dirname, '..', '..', 'web', 'clickstream');

/**
 * The page's Content-Security-Policy: its own files only, no inline code,
 * and network access to the two AWS endpoints the tracker calls. The browser
 * test serves the page under this same policy, with its local endpoints.
 */
export function menuPageContentSecurityPolicy(endpoints: { kinesis: string; cognitoIdentity: string }): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${endpoints.kinesis} ${endpoints.cognitoIdentity}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The Control Tower controls that only a custom domain and its ACM certificate satisfy. */
const DEFAULT_CERTIFICATE_CONTROLS = ['CT.CLOUDFRONT.PR.6', 'CT.CLOUDFRONT.PR.7', 'CT.CLOUDFRONT.PR.9'];

export interface MenuSiteProps {
  readonly stage: StageConfig;
  readonly accessLogs: IBucket;
  /** What the page's script needs: written to config.json at deployment. */
  readonly siteConfig: SiteConfig;
}

/**
 * The menu page: static files in a private bucket, served only through
 * CloudFront (origin access control), HTTPS only, with security headers whose
 * Content-Security-Policy lets the page's script talk to Kinesis and Cognito
 * in this Region and nowhere else.
 */
export class MenuSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: MenuSiteProps) {
    super(scope, id);
    const { stage } = props;

    this.bucket = new PrivateBucket(this, 'Bucket', {
      stage,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'menu-site/',
    });
    acknowledgeBucketCompliance(this.bucket, {
      singleRegion:
        'The menu page is public content built from this repository and copied in again by every deployment; CloudFront caches it at the edge.',
      s3ManagedKey:
        'The menu page is public content that CloudFront serves to anyone; a customer managed key would protect nothing and would need a key policy for CloudFront origin access control.',
      noObjectLock:
        'Every deployment replaces the site and deletes files no longer in it (the CDK deployment prunes); Object Lock would make those deletions fail.',
      noEventNotifications: 'Only the deployment writes here, and it invalidates CloudFront itself; nothing else acts on new objects.',
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: "Menu page: HSTS, CSP limited to this Region's Kinesis and Cognito, no framing, no sniffing",
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: menuPageContentSecurityPolicy({
            kinesis: `https://kinesis.${Aws.REGION}.amazonaws.com`,
            cognitoIdentity: `https://cognito-identity.${Aws.REGION}.amazonaws.com`,
          }),
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
    });

    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Coffee shop menu page',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      // North America and Europe edges only: the cheapest class.
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      additionalBehaviors: {
        // Written at each deployment: never served stale.
        '/config.json': {
          origin,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          responseHeadersPolicy: headers,
        },
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'A public menu page for customers anywhere; there is no country to block.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'A CloudFront web ACL must live in us-east-1 and this stack is Region-agnostic; the page is static and its only dynamic path (Kinesis) is rate-limited by shard capacity. Attach a web ACL by ARN when deploying to us-east-1.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the security policy; a custom domain with an ACM certificate would set TLSv1.2_2021.',
      },
      ...DEFAULT_CERTIFICATE_CONTROLS.map((control) =>
        controlTower(
          control,
          'The distribution serves its *.cloudfront.net name with the default CloudFront certificate: a custom SSL/TLS certificate, SNI and a TLSv1.2 minimum policy all need a custom domain with an ACM certificate in us-east-1, which this Region-agnostic stack does not have. A team with a domain adds it (domainNames, certificate, minimumProtocolVersion TLSv1.2_2021).',
        ),
      ),
      controlTower(
        'CT.CLOUDFRONT.PR.4',
        'Origin failover needs a second origin: a copy of the site bucket in another Region kept in sync. The site is static, rebuilt from this repository by every deployment and cached at the edge, so a Regional S3 outage leaves cached pages served; a second Region would double the site for little.',
      ),
    );

    const siteAsset = Source.asset(WEB_DIR, {
      // Named by a hash of the built site, so a change of a bundled dependency redeploys it.
      assetHashType: AssetHashType.OUTPUT,
      // Built on this machine with the project's esbuild; never Docker.
      bundling: {
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-alpine'),
        local: {
          tryBundle(outputDir: string) {
            buildMenuSite(outputDir);
            return true;
          },
        },
      },
    });
    const deployment = new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [siteAsset, Source.jsonData('config.json', props.siteConfig)],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      logGroup: new StageLogGroup(this, 'DeployLogs', { stage }),
      memoryLimit: 256,
    });
    // CDK's own deployment function (one per stack, outside this construct).
    const deployFunction = deployment.handlerRole.node.scope!;
    const stack = Stack.of(this);
    const siteBucketId = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnElement));
    const copyGrants =
      "CDK's BucketDeployment grants, all for this deployment: read of the CDK asset bucket's objects (the site zip), read-write of the site bucket's objects (deleting files no longer in the site), and CloudFront invalidation, which has no resource-level permissions.";
    const deployedSynchronously = 'Invoked synchronously by CloudFormation during a deployment; a failure fails the deployment.';
    const deployOutsideVpc =
      "CDK's BucketDeployment function copies from the CDK asset bucket to the site bucket and invalidates CloudFront, all AWS APIs; there is no VPC in this stack.";
    Validations.of(deployFunction).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's BucketDeployment function role; aws-cdk-lib attaches the basic execution policy.",
      },
      ...[
        'Action::s3:GetBucket*',
        'Action::s3:GetObject*',
        'Action::s3:List*',
        'Action::s3:Abort*',
        'Action::s3:DeleteObject*',
        'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
        `Resource::<${siteBucketId}.Arn>/*`,
        'Resource::*',
      ].map((finding) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason: copyGrants })),
      {
        id: 'AwsSolutions-L1',
        reason: "CDK's BucketDeployment function; aws-cdk-lib chooses its Python runtime, which runs the bundled AWS CLI layer.",
      },
      { id: 'Serverless-LambdaLatestVersion', reason: "CDK's BucketDeployment function; aws-cdk-lib chooses its runtime." },
      { id: 'Serverless-LambdaDLQ', reason: deployedSynchronously },
      { id: 'Serverless-LambdaTracing', reason: "CDK's deployment-time copy function; there is no request path to trace." },
      {
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason:
          "CDK's BucketDeployment function runs only when CloudFormation deploys the site, once per deployment; aws-cdk-lib offers no concurrency setting for it.",
      },
      { id: 'NIST.800.53.R5-LambdaDLQ', reason: deployedSynchronously },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason: deployOutsideVpc,
      },
      controlTower('CT.LAMBDA.PR.3', deployOutsideVpc),
    );
  }
}
