import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { submissionKey } from './keys.ts';

/** Every item of a submission's partition (those whose sort key starts with `skPrefix`, when given), all pages. */
export async function partitionItems(
  db: DynamoDBDocumentClient,
  table: string,
  trackingId: string,
  skPrefix?: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :sk)' : 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': submissionKey(trackingId).pk,
          ...(skPrefix ? { ':sk': skPrefix } : {}),
        },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
