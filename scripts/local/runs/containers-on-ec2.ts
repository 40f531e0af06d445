/** Why containers-on-ec2 has no local form, and what to do instead. */
export const noLocalForm =
  'containers-on-ec2 has no local form: it is EC2 hosts, an ECS cluster, a NAT gateway and an internal load balancer, which nothing here can stand in for. ' +
  'Deploy it to a sandbox (docs/containers-on-ec2.md) and check it with: npm run smoke -- containers-on-ec2';
