import { SQSClient } from '@aws-sdk/client-sqs';
import { AwsQueryProtocol } from '@aws-sdk/core/protocols';

export interface SqsClientOptions {
  region?: string;
  /** A custom endpoint (goaws, LocalStack); the queue URL's host is then not used as the endpoint. */
  endpoint?: string;
  /** `json` (AWS today, the default) or `query` (the older XML protocol; goaws 0.4.5 speaks only this). */
  protocol?: 'json' | 'query';
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** One place that builds an SQS client, for the collector's SQS source and the client's SQS transport. */
export function createSqsClient(options: SqsClientOptions = {}): SQSClient {
  return new SQSClient({
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.protocol === 'query'
      ? { protocol: new AwsQueryProtocol({ defaultNamespace: 'com.amazonaws.sqs', xmlNamespace: 'http://queue.amazonaws.com/doc/2012-11-05/', version: '2012-11-05' }) }
      : {}),
  });
}
