import { AwsQueryProtocol } from '@aws-sdk/core/protocols';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface SqsClientOptions {
  region?: string;
  /** A local or compatible endpoint (goaws, LocalStack); default: the region's AWS endpoint. */
  endpoint?: string;
  /** `json` (AWS's default) or `query` (goaws 0.4 speaks only the query protocol). */
  protocol?: 'json' | 'query';
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * The one place an SQSClient is built (the prediction logger's transport and the collector's SQS
 * source share it). Static imports are fine here: the logger loads this file only for `type: 'sqs'`.
 */
export function createSqsClient({ region, endpoint, protocol = 'json', credentials }: SqsClientOptions = {}): SQSClient {
  return new SQSClient({
    region: region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    ...(protocol === 'query'
      ? { protocol: new AwsQueryProtocol({ defaultNamespace: 'com.amazonaws.sqs', xmlNamespace: 'http://queue.amazonaws.com/doc/2012-11-05/', version: '2012-11-05' }) }
      : {}),
  });
}
