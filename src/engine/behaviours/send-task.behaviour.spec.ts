import { chain, serviceTask, zeebe } from '../testing/bpmn.js';
import { Harness } from '../testing/harness.js';

describe('send task', () => {
  it('send task with a template header is a mail Flowdesk sends; with a job type it is a job', async () => {
    const h = await Harness.of(
      zeebe(`<bpmn:startEvent id="s"/>
        <bpmn:sendTask id="mail"><bpmn:extensionElements><zeebe:taskHeaders><zeebe:header key="template" value="welcome"/><zeebe:header key="to" value="= email"/></zeebe:taskHeaders></bpmn:extensionElements></bpmn:sendTask>
        ${serviceTask('x', 'x').replace(/serviceTask/g, 'sendTask')}
        <bpmn:endEvent id="e"/>${chain(['s', 'mail', 'x', 'e'])}`),
    );
    h.start({ email: 'a@example.com' });
    expect(h.effectsOf('sendMail')).toEqual([
      expect.objectContaining({ elementId: 'mail', template: 'welcome', headers: { template: 'welcome', to: '= email' }, variables: { email: 'a@example.com' } }),
    ]);
    expect(h.effectsOf('dispatchJob')[0]).toMatchObject({ elementId: 'x', jobType: 'x' });
  });
});
