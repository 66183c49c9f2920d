import { LaunchBody } from '../../client/gateway/runs-routes';

test("POST /agents/:agent/runs takes no fork and still needs a message: forks start from tfa fork, reading the source's thread themselves", () => {
  const fork = { workflowId: 'deploy-main', at: { step: 2 } };
  expect(LaunchBody.safeParse({ message: 'deploy main', fork }).success).toBe(false);
  expect(LaunchBody.safeParse({}).success).toBe(false);
  expect(LaunchBody.safeParse({ message: 'deploy main' }).success).toBe(true);
});
