import { MAX_FORWARDED_ENTRIES, newDeployState, recordForwarded, type DeployState } from '../../agents/pipeline';

const freshState = (): DeployState => newDeployState('main', 'deploying');

describe('recordForwarded', () => {
  it('counts identical forwarded messages on one entry and cuts a huge claimed sender', () => {
    const state = freshState();
    for (let index = 0; index < 1_000; index++) recordForwarded(state, 'approve', 'p-deploy', 'x'.repeat(1024 * 1024));
    expect(state.forwarded).toHaveLength(1);
    expect(state.forwarded[0]).toMatchObject({ message: 'approve', to: 'p-deploy', count: 1_000 });
    expect(state.forwarded[0]!.by!.length).toBe(200);
  });

  it(`lists at most ${MAX_FORWARDED_ENTRIES} different messages, then only counts on one * entry`, () => {
    const state = freshState();
    for (let index = 0; index < MAX_FORWARDED_ENTRIES + 50; index++)
      recordForwarded(state, 'reply', null, `sender-${index}`);
    expect(state.forwarded).toHaveLength(MAX_FORWARDED_ENTRIES + 1);
    expect(state.forwarded.at(-1)).toEqual({ message: '*', to: null, by: undefined, count: 50 });
  });
});
