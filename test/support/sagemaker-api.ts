import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
  type ModelApprovalStatus,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker'

/** Fake credentials moto accepts; a SageMaker backend config for the same server. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const
export const MOTO_REGION = 'us-east-1'

export function sagemakerBackendConfig(motoUrl: string, id = 'sm', extra: { readOnly?: boolean; timeoutMs?: number } = {}) {
  return { id, kind: 'sagemaker' as const, region: MOTO_REGION, endpoint: motoUrl, credentials: { ...MOTO_CREDENTIALS }, ...extra }
}

/** Seeding and reading moto's SageMaker through the AWS SDK, as its users would. */
export function sagemakerApi(motoUrl: string) {
  const client = new SageMakerClient({ region: MOTO_REGION, endpoint: motoUrl, credentials: { ...MOTO_CREDENTIALS } })
  return {
    client,
    createGroup: (name: string, description?: string) =>
      client.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: name, ModelPackageGroupDescription: description })),
    async createPackage(
      group: string,
      fields: { approval?: ModelApprovalStatus; properties?: Record<string, string>; modelDataUrl?: string; commitId?: string; description?: string } = {},
    ): Promise<string> {
      const created = await client.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: group,
          ModelPackageDescription: fields.description,
          ModelApprovalStatus: fields.approval ?? 'PendingManualApproval',
          CustomerMetadataProperties: fields.properties,
          InferenceSpecification: {
            Containers: [{ Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1', ModelDataUrl: fields.modelDataUrl ?? `s3://models/${group}/model.tar.gz` }],
            SupportedContentTypes: ['text/csv'],
            SupportedResponseMIMETypes: ['text/csv'],
          },
          MetadataProperties: fields.commitId ? { CommitId: fields.commitId, Repository: 'git@example.com:ml/train.git' } : undefined,
          ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://reports/${group}/statistics.json` } } },
        }),
      )
      return created.ModelPackageArn!
    },
    describePackage: (arn: string) => client.send(new DescribeModelPackageCommand({ ModelPackageName: arn })),
    close: () => client.destroy(),
  }
}
